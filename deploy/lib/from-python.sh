# Sourced by deploy/setup.sh for --from-python: takes over a running Python TattileSender (four root systemd units,
# tattile-api on 8000, tattile-ingest on TRANSIT_PORT, tattile-sender, tattile-lectorvision on 33335, its .env in its
# install folder) in place. Nothing here writes under the old install folder, to the old database or to its role.
#
# The caller sets DRY_RUN (true/false), ENV_FILE (this product's .env), APP_USER, OPT (the installed jar's folder), JAR
# (the jar to install, for --dry-run), SYSTEMD_UNIT_DIR and UNIT (this product's unit file in it), and defines say and
# run (run: prints "WOULD: ..." in a dry run, else executes); the working directory is the source tree (deploy/systemd,
# .env.example). Then: fp_preflight OLD_INSTALL_DIR [CIDR,...] before any change, and fp_switch once this product is
# installed and migrated, in place of starting it.
#
# TATTILE_ADMIN_CMD, when set, is the admin CLI to run (words split on spaces; default: java -jar $OPT/tattile-sender.jar
# admin), always with TATTILE_ENV_FILE=$ENV_FILE: tests put a stand-in there.

# shellcheck source=envfile.sh
. "$(dirname "${BASH_SOURCE[0]}")/envfile.sh"

FP_OLD_UNITS_ALL=(tattile-ingest tattile-lectorvision tattile-api tattile-sender)
FP_PRIVATE_RANGES=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8

fp_fail() { # MESSAGE: one line on stderr, the rollback steps when the old services were already stopped, exit 1
  echo "$1" >&2
  if "${FP_SWITCHED:-false}"; then
    fp_rollback_steps
  fi
  exit 1
}

fp_old_value() { # KEY DEFAULT: a value of the old .env (keys in any case, as its pydantic settings read them)
  local v
  v=$(env_file_value "$FP_OLD_ENV" "$1" --ignore-case) || v=""
  printf '%s\n' "${v:-$2}"
}

fp_our_value() { # KEY DEFAULT: a value of this product's .env (a fresh install gets .env.example's)
  local v=""
  if [ -f "$ENV_FILE" ]; then
    v=$(env_file_value "$ENV_FILE" "$1") || v=""
  else
    v=$(env_file_value .env.example "$1") || v=""
  fi
  printf '%s\n' "${v:-$2}"
}

fp_unit_port() { # UNIT DEFAULT: the --port of the old unit's ExecStart (uvicorn), else DEFAULT
  local p
  p=$(sed -n 's/^ExecStart=.*--port[= ]\([0-9][0-9]*\).*/\1/p' "$SYSTEMD_UNIT_DIR/$1.service" 2>/dev/null | head -n 1)
  printf '%s\n' "${p:-$2}"
}

# Before any change: the old .env, the old units, and database names that would collide with the old product's.
fp_preflight() { # OLD_INSTALL_DIR [LECTORVISION_SOURCES]
  local dir=$1 u
  FP_LV_SOURCES=${2:-}
  [ -d "$dir" ] || fp_fail "--from-python: $dir is not a folder (the old TattileSender's install folder, holding its .env)"
  FP_OLD_DIR=$(cd "$dir" && pwd -P)
  FP_OLD_ENV=$FP_OLD_DIR/.env
  [ -f "$FP_OLD_ENV" ] && [ -r "$FP_OLD_ENV" ] || fp_fail "--from-python: cannot read $FP_OLD_ENV (the old TattileSender's settings)"
  FP_KEPT_UNIT=$SYSTEMD_UNIT_DIR/tattile-sender-python.service.disabled
  FP_OLD_UNITS=()
  FP_OLD_SENDER=false
  for u in "${FP_OLD_UNITS_ALL[@]}"; do
    [ -f "$SYSTEMD_UNIT_DIR/$u.service" ] || continue
    if [ "$u" = tattile-sender ]; then
      # The name is shared: this product's unit runs the jar.
      grep -q 'tattile-sender\.jar' "$UNIT" && continue
      FP_OLD_SENDER=true
    fi
    FP_OLD_UNITS+=("$u")
  done
  FP_HAD_LV=false
  [ -f "$SYSTEMD_UNIT_DIR/tattile-lectorvision.service" ] && FP_HAD_LV=true
  FP_OLD_TRANSIT_PORT=$(fp_old_value TRANSIT_PORT 33334)
  FP_OLD_API_PORT=$(fp_unit_port tattile-api 8000)
  FP_OLD_LV_PORT=$(fp_unit_port tattile-lectorvision 33335)
  say "from-python: the old TattileSender in $FP_OLD_DIR (settings $FP_OLD_ENV)"
  if [ ${#FP_OLD_UNITS[@]} -gt 0 ]; then
    say "from-python: its units in $SYSTEMD_UNIT_DIR: ${FP_OLD_UNITS[*]}"
  else
    say "from-python: none of its units (${FP_OLD_UNITS_ALL[*]}) in $SYSTEMD_UNIT_DIR"
  fi
  if ! $FP_OLD_SENDER && [ -f "$FP_KEPT_UNIT" ]; then
    say "from-python: its tattile-sender unit was switched before (kept as $FP_KEPT_UNIT)"
  fi

  # setup.sh creates or updates (password included) the role DB_USER and the owner role, and migrates DB_NAME: none of
  # them may be the old product's.
  if [ -e "$ENV_FILE" ] && [ ! -r "$ENV_FILE" ]; then
    say "from-python: cannot read $ENV_FILE: database names not compared with the old ones (run the dry run with sudo)"
    return 0
  fi
  local old_db old_user our_db our_user our_owner
  old_db=$(fp_old_value DB_NAME tattile_sender)
  old_user=$(fp_old_value DB_USER tattile)
  our_db=$(fp_our_value DB_NAME tattile)
  our_user=$(fp_our_value DB_USER tattile)
  our_owner=$(fp_our_value DB_OWNER_USER tattile_owner)
  if [ ! -e "$ENV_FILE" ]; then
    # A first install: this product's .env is written below from .env.example, so its names are still free. Names the
    # old product uses (its default role is 'tattile', as ours) are replaced rather than refused.
    if [ "$old_db" = "$our_db" ]; then FP_NEW_DB=$(fp_free_name "$our_db" "$old_db"); our_db=$FP_NEW_DB; fi
    if [ "$old_user" = "$our_user" ]; then FP_NEW_USER=$(fp_free_name "$our_user" "$old_user"); our_user=$FP_NEW_USER; fi
    if [ "$old_user" = "$our_owner" ]; then FP_NEW_OWNER=$(fp_free_name "$our_owner" "$old_user"); our_owner=$FP_NEW_OWNER; OWNER_ROLE=$FP_NEW_OWNER; fi
    if [ -n "${FP_NEW_DB:-}${FP_NEW_USER:-}${FP_NEW_OWNER:-}" ]; then
      say "from-python: the old product uses the name(s) ${old_db}/${old_user}: tattile-sender's new .env gets DB_NAME=$our_db, DB_USER=$our_user, DB_OWNER_USER=$our_owner"
    fi
  fi
  if [ "$old_db" = "$our_db" ]; then
    fp_fail "--from-python: the old database is named '$old_db', as tattile-sender's DB_NAME: set another DB_NAME in $ENV_FILE (copy .env.example there first) and run again"
  fi
  if [ "$old_user" = "$our_user" ] || [ "$old_user" = "$our_owner" ]; then
    fp_fail "--from-python: the old database role '$old_user' is also tattile-sender's DB_USER or DB_OWNER_USER (setup would change its password): set other names and a new DB_PASSWORD in $ENV_FILE (copy .env.example there first) and run again"
  fi
  say "from-python: the old database $old_db (role $old_user) is only read; tattile-sender uses $our_db (roles $our_user, $our_owner)"
}

fp_free_name() { # BASE TAKEN: BASE with a suffix that is not TAKEN (database and role names of the old product)
  local c
  for c in "${1}_sender" "${1}_sender2" "${1}_sender3"; do
    [ "$c" != "$2" ] && { printf '%s\n' "$c"; return 0; }
  done
}

# The admin CLI as setup.sh runs "db migrate": as root (the old product ran as root: its .env, images and certificate
# keys may be root's alone), with this product's .env. Files it writes into this product's folders are handed to
# APP_USER afterwards.
fp_admin_words() { # [--now]: sets FP_ADMIN, the admin CLI of the real run (--now: the one a dry run runs, from JAR)
  if [ -n "${TATTILE_ADMIN_CMD:-}" ]; then
    read -ra FP_ADMIN <<< "$TATTILE_ADMIN_CMD"
  elif $DRY_RUN && [ "${1:-}" = --now ]; then
    FP_ADMIN=(java -jar "$JAR" admin)
  else
    FP_ADMIN=(java -jar "$OPT/tattile-sender.jar" admin)
  fi
}

# In a dry run the CLI runs only when it can: a stand-in, or java and a jar (the one that would be installed).
fp_cli_runnable() {
  [ -n "${TATTILE_ADMIN_CMD:-}" ] && return 0
  $DRY_RUN || return 0
  command -v java >/dev/null 2>&1 && [ -f "$JAR" ] && [ "$(head -c 2 "$JAR" 2>/dev/null)" = PK ]
}

fp_admin_line() { # ARGS: the command line, as shown to the operator
  fp_admin_words
  echo "env TATTILE_ENV_FILE=$ENV_FILE ${FP_ADMIN[*]} $*"
}

fp_admin() { # ENV_FILE ARGS...: runs the admin CLI with that .env
  local env_file=$1
  shift
  fp_admin_words --now
  env TATTILE_ENV_FILE="$env_file" "${FP_ADMIN[@]}" "$@"
}

# --- settings ---

declare -gA FP_VALUE=() FP_LINE=() FP_MODE=() FP_PLANNED=()
FP_KEYS=()

fp_want() { # KEY VALUE LINE MODE: a setting for this product's .env; MODE default (kept when set to a value other than
  # .env.example's), unset (kept when set at all) or force (always)
  [ -n "${FP_VALUE[$1]+x}" ] || FP_KEYS+=("$1")
  FP_VALUE[$1]=$2
  FP_LINE[$1]=$3
  FP_MODE[$1]=$4
}

fp_settings() {
  local out line env_for_cli=$ENV_FILE
  say "settings: $(fp_admin_line import-legacy --from-env "$FP_OLD_ENV" --print-settings)"
  if fp_cli_runnable; then
    # --print-settings touches no database; a dry run without this product's .env gives it an empty one.
    [ -r "$ENV_FILE" ] || env_for_cli=/dev/null
    out=$(fp_admin "$env_for_cli" import-legacy --from-env "$FP_OLD_ENV" --print-settings) \
      || fp_fail "the old settings could not be translated (admin import-legacy --print-settings failed): nothing was switched"
    while IFS= read -r line || [ -n "$line" ]; do
      case $line in
        '') ;;
        '#'*) say "  $line" ;;
        *)
          if ! env_parse_line "$line" || [[ ! $ENV_LINE_KEY =~ ^[A-Z][A-Z0-9_]*$ ]]; then
            say "  ignored (not KEY=VALUE): $line"
          elif [[ $ENV_LINE_KEY == DB_* ]]; then
            say "  ignored: $ENV_LINE_KEY (tattile-sender keeps its own database settings)"
          else
            fp_want "$ENV_LINE_KEY" "$ENV_LINE_VALUE" "$ENV_LINE_KEY=${line#*=}" default
          fi
          ;;
      esac
    done <<< "$out"
  else
    echo "WOULD: apply the KEY=VALUE lines it prints to $ENV_FILE (a value other than tattile-sender's default is kept) and show its notes"
    # Among them always the cameras' port, the old TRANSIT_PORT.
    fp_want TRANSIT_PORT "$FP_OLD_TRANSIT_PORT" "TRANSIT_PORT=$FP_OLD_TRANSIT_PORT" default
  fi
  if $FP_HAD_LV; then
    fp_want LECTORVISION_PORT "$FP_OLD_LV_PORT" "LECTORVISION_PORT=$FP_OLD_LV_PORT" default
  fi
  if [ -n "$FP_LV_SOURCES" ]; then
    fp_want LECTORVISION_ALLOWED_SOURCES "$FP_LV_SOURCES" "LECTORVISION_ALLOWED_SOURCES=$FP_LV_SOURCES" force
  else
    fp_want LECTORVISION_ALLOWED_SOURCES "$FP_PRIVATE_RANGES" "LECTORVISION_ALLOWED_SOURCES=$FP_PRIVATE_RANGES" unset
  fi
  fp_apply_settings
}

fp_apply_settings() {
  local k new cur def apply=() readable=true
  [ -f "$ENV_FILE" ] && [ ! -r "$ENV_FILE" ] && readable=false
  for k in "${FP_KEYS[@]}"; do
    new=${FP_VALUE[$k]}
    if ! $readable; then
      echo "WOULD: set $k=$new in $ENV_FILE unless it holds a value other than tattile-sender's default"
      continue
    fi
    cur=$(fp_our_value "$k" "")
    def=$(env_file_value .env.example "$k") || def=""
    if [ "$cur" = "$new" ]; then
      say "$k=$new already in $ENV_FILE"
      continue
    fi
    case ${FP_MODE[$k]} in
      force) ;;
      unset) if [ -n "$cur" ]; then say "keeping $k=$cur in $ENV_FILE"; continue; fi ;;
      *) if [ -n "$cur" ] && [ "$cur" != "$def" ]; then
           say "keeping $k=$cur in $ENV_FILE (the old product's: $new)"
           continue
         fi ;;
    esac
    if [ "$k" = LECTORVISION_ALLOWED_SOURCES ] && [ "${FP_MODE[$k]}" = unset ]; then
      say "WARNING: LECTORVISION_ALLOWED_SOURCES=$new, every private range: the old service accepted"
      say "  any address, and a Lector Vision forwarder treats a 403 as final and deletes the reading. Narrow it to the"
      say "  forwarders' addresses (--lectorvision-sources CIDR,... or in $ENV_FILE, then restart tattile-sender)."
    fi
    if $DRY_RUN; then
      FP_PLANNED[$k]=$new
      echo "WOULD: set $k=$new in $ENV_FILE${cur:+ (now $cur)}"
    else
      apply+=("$k")
      say "set $k=$new in $ENV_FILE${cur:+ (was $cur)}"
    fi
  done
  [ ${#apply[@]} -gt 0 ] || return 0
  # One pass: a key's lines take the new value where they are, keys the file lacks go at its end; the file keeps its
  # owner and mode, and is replaced in one rename.
  local tmp line header=false
  declare -A replaced=() wanted=()
  for k in "${apply[@]}"; do wanted[$k]=1; done
  tmp=$(mktemp "$ENV_FILE.XXXXXX")
  while IFS= read -r line || [ -n "$line" ]; do
    if env_parse_line "$line" && [ -n "${wanted[$ENV_LINE_KEY]+x}" ]; then
      printf '%s\n' "${FP_LINE[$ENV_LINE_KEY]}"
      replaced[$ENV_LINE_KEY]=1
    else
      printf '%s\n' "$line"
    fi
  done < "$ENV_FILE" > "$tmp"
  for k in "${apply[@]}"; do
    [ -n "${replaced[$k]+x}" ] && continue
    if ! $header; then
      printf '\n# From the old TattileSender (%s), by deploy/setup.sh --from-python\n' "$FP_OLD_ENV" >> "$tmp"
      header=true
    fi
    printf '%s\n' "${FP_LINE[$k]}" >> "$tmp"
  done
  chown --reference="$ENV_FILE" "$tmp"
  chmod --reference="$ENV_FILE" "$tmp"
  mv -f "$tmp" "$ENV_FILE"
}

# --- the switch ---

fp_import() { # [--dry-run]: the import; its report goes to the operator; sets FP_IMPORT_RC
  FP_IMPORT_RC=0
  fp_admin_words
  run env TATTILE_ENV_FILE="$ENV_FILE" "${FP_ADMIN[@]}" import-legacy --from-env "$FP_OLD_ENV" "$@" || FP_IMPORT_RC=$?
}

# Checks the import (--dry-run, nothing written) while the old services still run: an error stops here, before any
# downtime. In a dry run it is the import's own plan, run when this product's CLI and .env are there.
fp_import_check() {
  if $DRY_RUN; then
    if fp_cli_runnable && [ -r "$ENV_FILE" ]; then
      say "import check: $(fp_admin_line import-legacy --from-env "$FP_OLD_ENV" --dry-run)"
      FP_IMPORT_RC=0
      fp_admin "$ENV_FILE" import-legacy --from-env "$FP_OLD_ENV" --dry-run || FP_IMPORT_RC=$?
      case $FP_IMPORT_RC in
        0) say "import check: every item would be imported or skipped for an expected reason" ;;
        2) say "import check: some items would need the operator (see the report above)" ;;
        *) say "import check failed (exit $FP_IMPORT_RC): the real run would stop here, before touching the old services" ;;
      esac
    else
      echo "WOULD: $(fp_admin_line import-legacy --from-env "$FP_OLD_ENV" --dry-run) (checks the import, nothing written; stops here on error)"
    fi
    return 0
  fi
  say "import check (nothing written; the old services still run): $(fp_admin_line import-legacy --from-env "$FP_OLD_ENV" --dry-run)"
  FP_IMPORT_RC=0
  fp_admin "$ENV_FILE" import-legacy --from-env "$FP_OLD_ENV" --dry-run || FP_IMPORT_RC=$?
  case $FP_IMPORT_RC in
    0) ;;
    2) say "import check: some items will need the operator (see the report above); going on" ;;
    *) fp_fail "the import check failed (exit $FP_IMPORT_RC, reason above): nothing was switched, the old services still run" ;;
  esac
}

# Stops and disables the old units, inputs first (no reading arrives that the old sender would not send), and keeps
# the old tattile-sender's unit file under another name: this product's unit takes tattile-sender.service.
fp_retire_old() {
  local u
  FP_SWITCHED=true
  # An unforeseen failure from here on still shows the way back.
  trap 'if [ $? -ne 0 ] && ! "${FP_ROLLBACK_SHOWN:-false}"; then fp_rollback_steps; fi' EXIT
  for u in "${FP_OLD_UNITS[@]}"; do
    [ "$u" = tattile-sender ] && continue
    run systemctl stop "$u" || fp_fail "could not stop $u"
    run systemctl disable "$u" || fp_fail "could not disable $u"
  done
  if $FP_OLD_SENDER; then
    run systemctl stop tattile-sender || fp_fail "could not stop the old tattile-sender"
    run systemctl disable tattile-sender || fp_fail "could not disable the old tattile-sender"
    if [ -e "$FP_KEPT_UNIT" ] && ! cmp -s "$FP_KEPT_UNIT" "$UNIT"; then
      run mv "$FP_KEPT_UNIT" "$FP_KEPT_UNIT.$(date +%Y%m%d%H%M%S)"
    fi
    run mv -f "$UNIT" "$FP_KEPT_UNIT"
  fi
}

fp_hand_over() { # FOLDER...: what the import (run as root) wrote there becomes APP_USER's, as setup.sh made the folders
  local d
  for d in "$@"; do
    if $DRY_RUN || { [ -d "$d" ] && [ "$(stat -c %U "$d")" = "$APP_USER" ]; }; then
      run find "$d" -mindepth 1 ! -user "$APP_USER" -exec chown -h "$APP_USER:$APP_USER" {} +
    else
      say "$d is not $APP_USER's folder: the files the import wrote there keep their owner"
    fi
  done
}

fp_rollback_steps() {
  FP_ROLLBACK_SHOWN=true
  local old=("${FP_OLD_UNITS[@]}")
  if ! $FP_OLD_SENDER && [ -f "$FP_KEPT_UNIT" ]; then old+=(tattile-sender); fi
  say "rollback to the Python TattileSender (as root):"
  say "  systemctl disable --now tattile-sender"
  if $FP_OLD_SENDER || [ -f "$FP_KEPT_UNIT" ]; then
    say "  cp -p $FP_KEPT_UNIT $UNIT"
  fi
  say "  systemctl daemon-reload"
  say "  systemctl enable --now ${old[*]:-tattile-ingest tattile-api tattile-lectorvision tattile-sender}"
  say "  The old database and $FP_OLD_DIR were not changed. Readings tattile-sender delivered after the switch are not"
  say "  marked sent there, so the old product may send them again; readings received after the switch are only in"
  say "  tattile-sender's database."
}

fp_switch() {
  fp_settings
  fp_import_check
  fp_retire_old
  run install -m 0644 deploy/systemd/tattile-sender.service "$UNIT"
  run systemctl daemon-reload
  $DRY_RUN || say "import: $(fp_admin_line import-legacy --from-env "$FP_OLD_ENV")"
  fp_import
  case $FP_IMPORT_RC in
    0) ;;
    2) say "the import finished, but some items need the operator (the report above says which): the readings are"
       say "  imported; add missing certificates afterwards with: admin certificate import-pfx" ;;
    *) fp_fail "the import failed (exit $FP_IMPORT_RC, reason above): nothing was imported and tattile-sender was not started" ;;
  esac
  fp_hand_over "$(fp_our_value IMAGES_BASE_DIR /var/lib/tattile-sender/images)" "$(fp_our_value CERTS_DIR /etc/tattile-sender/certs)"
  run systemctl enable tattile-sender
  run systemctl restart tattile-sender
  fp_summary
}

fp_after() { # KEY DEFAULT: the value after the switch (in a dry run, the one it would set)
  if [ -n "${FP_PLANNED[$1]+x}" ]; then printf '%s\n' "${FP_PLANNED[$1]}"; else fp_our_value "$1" "$2"; fi
}

fp_summary() {
  local transit api lv
  transit=$(fp_after TRANSIT_PORT 33334)
  api=$(fp_after API_PORT 8000)
  lv=$(fp_after LECTORVISION_PORT "")
  say "summary of the switch from the Python TattileSender ($FP_OLD_DIR):"
  if [ ${#FP_OLD_UNITS[@]} -gt 0 ]; then
    say "  stopped and disabled: ${FP_OLD_UNITS[*]}"
  fi
  if $FP_OLD_SENDER; then
    say "  the old tattile-sender unit is kept as $FP_KEPT_UNIT"
  fi
  say "  tattile-sender (unit $UNIT, settings $ENV_FILE): cameras on port $transit, HTTP API on $api${lv:+, Lector Vision on $lv}"
  [ "$transit" = "$FP_OLD_TRANSIT_PORT" ] || say "  WARNING: the old product listened for cameras on $FP_OLD_TRANSIT_PORT, tattile-sender on $transit ($ENV_FILE)"
  [ "$api" = "$FP_OLD_API_PORT" ] || say "  WARNING: the old API answered on $FP_OLD_API_PORT, tattile-sender's on $api (API_PORT in $ENV_FILE)"
  if $FP_HAD_LV && [ "$lv" != "$FP_OLD_LV_PORT" ]; then
    say "  WARNING: the old Lector Vision service answered on $FP_OLD_LV_PORT, tattile-sender on ${lv:-no own port} (LECTORVISION_PORT)"
  fi
  [ "${FP_IMPORT_RC:-0}" = 2 ] && say "  the import left items for the operator: see its report above"
  say "  check: systemctl status tattile-sender; journalctl -u tattile-sender -f; curl -s http://127.0.0.1:$api/health"
  fp_rollback_steps
}
