#!/bin/sh
# readme-example.sh README FIRSTLINE — print the fenced code block of README's
# "## Locked out?" section whose first line is FIRSTLINE (e.g. '#cloud-config'), without
# the fences and without the indentation of its fence. Exit 1 if there is none, so that a
# scenario tests exactly the text the README documents.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 README FIRSTLINE" >&2; exit 2; }
awk -v first="$2" '
	/^## / { in_sec = ($0 == "## Locked out?"); next }
	!in_sec { next }
	!in_block && /^ *```/ {
		in_block = 1; n = 0; indent = match($0, /[^ ]/) - 1; next
	}
	in_block && /^ *```[ ]*$/ {
		in_block = 0
		if (n > 0 && lines[1] == first) { for (i = 1; i <= n; i++) print lines[i]; found = 1; exit }
		next
	}
	in_block {
		line = $0
		if (substr(line, 1, indent) ~ /^ *$/) line = substr(line, indent + 1)
		lines[++n] = line
	}
	END { exit found ? 0 : 1 }
' "$1" || { echo "readme-example.sh: no block starting with '$2' in the 'Locked out?' section of $1" >&2; exit 1; }
