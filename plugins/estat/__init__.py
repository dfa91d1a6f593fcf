"""The e-Statistics side of the Burkit-MO exchange: contract, dictionaries, warehouse."""
