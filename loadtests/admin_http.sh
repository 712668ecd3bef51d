#!/usr/bin/env bash
# The admin's pages over HTTP, as a moderator's browser asks for them: sign in, then time each page
# with curl (6 requests each; the first warms up, the median and slowest of the other five print).
# Nothing is changed: the remove action stops at its confirmation page.
# Usage: loadtests/admin_http.sh BASE_URL USERNAME PASSWORD REVIEW_ID PRODUCT_ID REVIEWER_NAME
set -euo pipefail
base=$1 user=$2 password=$3 review=$4 product=$5
reviewer=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$6")
jar=$(mktemp)
curl -s -c "$jar" -b "$jar" -o /dev/null "$base/admin/login/"
token=$(awk '$6 == "csrftoken" {print $7}' "$jar")
curl -s -c "$jar" -b "$jar" -o /dev/null -H "Referer: $base/admin/login/" \
  --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "username=$user" \
  --data-urlencode "password=$password" --data-urlencode "next=/admin/" "$base/admin/login/"
r=/admin/reviews/review/
for path in "/admin/" "$r" "$r?p=200" "$r?status=all" "$r?status=all&p=200" "$r?status=visible" \
  "$r?rating=1" "$r?rating=5&recommend__exact=0" "$r?status=visible&rating=5&recommend__exact=0" \
  "$r?status=all&q=$review" "$r?status=all&q=$product" "$r?status=all&q=$reviewer" \
  "$r$review/change/" "$r$review/delete/" "$r$review/history/" "/admin/reviews/characteristic/" "/admin/reviews/productmeta/" \
  "/admin/reviews/characteristicmeta/"; do
  times=()
  for _ in 1 2 3 4 5 6; do
    times+=("$(curl -s -b "$jar" -o /dev/null -w "%{http_code} %{time_total}" "$base$path")")
  done
  # the first run warms; report the median and the slowest of the other five, in ms
  printf '%s\n' "${times[@]:1}" | sort -k2 -g | awk -v p="$path" '{c=$1; t[NR]=$2*1000} END {printf "%-55s %s  median %6.1f ms  slowest %6.1f ms\n", p, c, t[3], t[NR]}'
done
# The removal confirmation page for the first 50 reviews of the queue (a POST; nothing is removed).
ids=$(curl -s -b "$jar" "$base$r" | grep -o 'name="_selected_action" value="[0-9]*"' | grep -o '[0-9]*' | head -50)
args=(--data-urlencode "csrfmiddlewaretoken=$(awk '$6 == "csrftoken" {print $7}' "$jar")" --data "action=remove" --data "index=0")
for id in $ids; do args+=(--data "_selected_action=$id"); done
for _ in 1 2 3 4 5 6; do
  curl -s -b "$jar" -H "Referer: $base$r" -o /dev/null -w "%{http_code} %{time_total}\n" "${args[@]}" "$base$r"
done | tail -5 | sort -k2 -g | awk '{c=$1; t[NR]=$2*1000} END {printf "%-55s %s  median %6.1f ms  slowest %6.1f ms\n", "POST remove confirmation (50 reviews)", c, t[3], t[NR]}'
rm -f "$jar"
