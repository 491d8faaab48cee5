collect_ignore = ["broken-plugin"]
