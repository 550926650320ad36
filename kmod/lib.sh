# shellcheck shell=bash
# What kmod/'s scripts share; sourced, never run:
#   . "$KMOD_DIR/lib.sh"
# Messages are prefixed with the running script's name (run-in-guest: ...).
# find_python needs REPO (the repository root) set by the script.

# die MESSAGE: a prerequisite is missing or an argument is bad; exit 2.
die() {
	local name=${0##*/}	# no basename: the PATH may lack everything
	echo "${name%.sh}: $*" >&2
	exit 2
}

# need TOOL PACKAGE: TOOL on PATH, else name the Debian package that has it.
need() {
	command -v "$1" >/dev/null || die "$1 not found; install the Debian package $2"
}

# find_python: PYTHON, an interpreter that imports the conformance package
# (MQOS_PYTHON, else tox's env, else the repository's .venv).
find_python() {
	local py
	for py in "${MQOS_PYTHON:-}" "${VIRTUAL_ENV:+$VIRTUAL_ENV/bin/python}" \
		"$REPO/.venv/bin/python"; do
		if [ -n "$py" ] && [ -x "$py" ] && "$py" -c 'import conformance' 2>/dev/null; then
			PYTHON=$py
			return
		fi
	done
	die "no Python with the conformance package; run .ci/setup or set MQOS_PYTHON"
}
