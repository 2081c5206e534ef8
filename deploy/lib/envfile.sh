# Sourced by the deploy scripts. Reads a .env file the way the service does (routes.config.EnvFile): KEY=VALUE lines,
# blank lines and # comments skipped, an optional "export ", spaces around key and value trimmed, one pair of matching
# quotes around the value removed (else a " #" comment after it cut), and the last line for a key wins. No shell
# expansion of any kind: a value with quotes, spaces, $ or ; is read as the service reads it.

# _env_trim VAR: strips leading and trailing white space from the variable named VAR.
_env_trim() {
  local -n _s=$1
  _s=${_s#"${_s%%[![:space:]]*}"}
  _s=${_s%"${_s##*[![:space:]]}"}
}

# env_file_value FILE KEY: prints the value of KEY; status 1 (nothing printed) when FILE is unreadable or lacks KEY.
env_file_value() {
  local file=$1 key=$2 line k v result="" found=1
  [ -f "$file" ] && [ -r "$file" ] || return 1
  while IFS= read -r line || [ -n "$line" ]; do
    _env_trim line
    case $line in '' | '#'*) continue ;; esac
    if [[ $line == "export "* ]]; then
      line=${line#export }
      _env_trim line
    fi
    [[ $line == ?*=* ]] || continue
    k=${line%%=*}
    _env_trim k
    [ "$k" = "$key" ] || continue
    v=${line#*=}
    _env_trim v
    if [ ${#v} -ge 2 ] && { [[ $v == \"*\" ]] || [[ $v == \'*\' ]]; }; then
      v=${v:1:${#v}-2}
    elif [[ $v == *" #"* ]]; then
      v=${v%%" #"*}
      _env_trim v
    fi
    result=$v
    found=0
  done < "$file"
  [ "$found" = 0 ] && printf '%s\n' "$result"
  return "$found"
}
