# Sourced by the deploy scripts: quoting for PostgreSQL's client tools, so that names and passwords from the .env
# (quotes, spaces, ;, \, $) reach the server as the very text they are, and never as SQL or options.

# pg_conninfo_value VALUE: VALUE as one value of a libpq connection string ('...', with \ and ' escaped by \).
pg_conninfo_value() {
  local v=${1//\\/\\\\}
  v=${v//\'/\\\'}
  printf "'%s'" "$v"
}

# psql_meta_literal VALUE: VALUE as one single-quoted argument of a psql meta-command (\set NAME 'VALUE'): inside the
# quotes psql reads '' as ' and \\ as \ (and \n, \t, \digits as escapes: so every \ is doubled). A line break cannot be
# in a meta-command: refused (a .env value never has one).
psql_meta_literal() {
  case $1 in *$'\n'* | *$'\r'*) echo "a line break cannot be passed to psql" >&2; return 1 ;; esac
  local v=${1//\\/\\\\}
  v=${v//\'/\'\'}
  printf "'%s'" "$v"
}
