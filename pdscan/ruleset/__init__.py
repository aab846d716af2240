"""The rules as data, loaded and checked: data types, log rules, users' rules."""
