"""Clinical and regional knowledge as data, with loaders that validate it on load."""
