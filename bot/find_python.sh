#!/usr/bin/env bash
# Prints the path of a Python interpreter Rasa 3.6 can run on (3.8-3.10), or explains
# how to get one. Used by the Makefile to create the virtual environment.
set -u

ok() {  # ok <interpreter>: true if it is 3.8-3.10 and can create virtual environments
  "$1" -c 'import sys, venv, ensurepip; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' \
    >/dev/null 2>&1
}

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for v in 3.10 3.9 3.8; do
  command -v "python$v" >/dev/null 2>&1 && candidates+=("$(command -v "python$v")")
done
pyenv_root="${PYENV_ROOT:-}"
[ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1 && pyenv_root="$(pyenv root 2>/dev/null)"
[ -z "$pyenv_root" ] && [ -d "$HOME/.pyenv" ] && pyenv_root="$HOME/.pyenv"
if [ -n "$pyenv_root" ]; then
  for v in 3.10 3.9 3.8; do
    for p in $(ls -d "$pyenv_root"/versions/"$v".*/bin/python"$v" 2>/dev/null | sort -rV); do
      candidates+=("$p")
    done
  done
fi
for p in /usr/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.9 /usr/bin/python3.8; do
  [ -x "$p" ] && candidates+=("$p")
done
command -v python3 >/dev/null 2>&1 && candidates+=("$(command -v python3)")

for p in "${candidates[@]}"; do
  if ok "$p"; then
    echo "$p"
    exit 0
  fi
done

if [ -n "${PYTHON:-}" ]; then
  echo "PYTHON=$PYTHON is not a usable Python 3.8-3.10 with venv support." >&2
fi
cat >&2 <<'MSG'
Vårdlotsen needs Python 3.10 (3.8 or 3.9 also work): Rasa 3.6 does not run on newer Pythons.
No such interpreter was found on PATH, in pyenv, or in /usr/bin and /usr/local/bin.
Install one, for example:
  pyenv install 3.10.13                      (with pyenv)
  sudo apt install python3.10 python3.10-venv   (Debian/Ubuntu with the deadsnakes archive)
or point to one you have:  make run PYTHON=/path/to/python3.10
MSG
exit 1
