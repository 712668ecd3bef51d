"""The API's second version, served beside the legacy routes the contract keeps as they are."""
