"""One module per scanning engine, each with `compile(triggers) -> Engine`."""
