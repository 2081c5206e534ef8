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

# env_parse_line LINE: sets ENV_LINE_KEY and ENV_LINE_VALUE from one KEY=VALUE line; status 1 (both empty) for a
# blank line, a comment or a line without KEY=.
env_parse_line() {
  local line=$1 v
  ENV_LINE_KEY=""
  ENV_LINE_VALUE=""
  _env_trim line
  case $line in '' | '#'*) return 1 ;; esac
  if [[ $line == "export "* ]]; then
    line=${line#export }
    _env_trim line
  fi
  [[ $line == ?*=* ]] || return 1
  ENV_LINE_KEY=${line%%=*}
  _env_trim ENV_LINE_KEY
  v=${line#*=}
  _env_trim v
  if [ ${#v} -ge 2 ] && { [[ $v == \"*\" ]] || [[ $v == \'*\' ]]; }; then
    v=${v:1:${#v}-2}
  elif [[ $v == *" #"* ]]; then
    v=${v%%" #"*}
    _env_trim v
  fi
  ENV_LINE_VALUE=$v
}

# env_file_value FILE KEY [--ignore-case]: prints the value of KEY; status 1 (nothing printed) when FILE is unreadable
# or lacks KEY. --ignore-case matches keys in any case (the old Python product's settings were not case-sensitive).
env_file_value() {
  local file=$1 key=$2 nocase=${3:-} line result="" found=1
  [ -f "$file" ] && [ -r "$file" ] || return 1
  [ "$nocase" = --ignore-case ] && key=${key^^}
  while IFS= read -r line || [ -n "$line" ]; do
    env_parse_line "$line" || continue
    if [ "$nocase" = --ignore-case ]; then
      [ "${ENV_LINE_KEY^^}" = "$key" ] || continue
    else
      [ "$ENV_LINE_KEY" = "$key" ] || continue
    fi
    result=$ENV_LINE_VALUE
    found=0
  done < "$file"
  [ "$found" = 0 ] && printf '%s\n' "$result"
  return "$found"
}
