#!/usr/bin/env bash
# ajustes.sh - the operators' menu for tattile-sender (replaces the original product's Spanish menu).
#
# A thin shell over the admin CLI: every option asks for the values it needs and runs the matching
# `java -jar $TATTILE_JAR admin ...` command, which validates them and explains any error in one
# line. Nothing here touches the database or the files directly.
#
#   TATTILE_JAR       the service jar (default /opt/tattile-sender/tattile-sender.jar)
#   TATTILE_ENV_FILE  the service configuration (default /etc/tattile-sender/.env, used if it exists)
#
# The "Utilidades del sistema" menu also reads the machine (ps, free, df, du, ss) and a few settings
# (IMAGE_STORE, IMAGES_BASE_DIR, S3_BUCKET, TRANSIT_PORT) from the same place as the CLI, never a secret.
#
# Menu texts are in Spanish (what operators know); the CLI's own messages are in English.
set -u

TATTILE_JAR="${TATTILE_JAR:-/opt/tattile-sender/tattile-sender.jar}"
TATTILE_ENV_FILE="${TATTILE_ENV_FILE:-/etc/tattile-sender/.env}"
if [[ -f "$TATTILE_ENV_FILE" ]]; then
    export TATTILE_ENV_FILE   # the CLI reads its settings (database, folders) from it
else
    unset TATTILE_ENV_FILE    # a missing file would be an error for the CLI: use ./.env and the environment
fi
SERVICE="tattile-sender"

CHOICE=""     # the option chosen in the last menu
ANSWER=""     # the last answer to a question
ARGS=()       # the optional arguments collected for the next command

# --- helpers ---

# Runs `admin <args>` and shows it first, so operators learn the command line.
admin() {
    printf '\n$ tattile-sender admin %s\n' "$*"
    java -jar "$TATTILE_JAR" admin "$@"
    local rc=$?
    if ((rc != 0)); then
        echo "(el comando ha terminado con error $rc)"
    fi
    return "$rc"
}

# Leaves quietly when the input ends (Ctrl+D, or the end of a script feeding the menu).
bye() {
    echo
    echo "Hasta luego."
    exit 0
}

# choose TITLE OPTION... : shows a numbered menu (the last option is number 0) and sets CHOICE.
choose() {
    local title=$1
    shift
    local options=("$@") i
    echo
    echo "=== $title ==="
    for ((i = 0; i < ${#options[@]} - 1; i++)); do
        printf '%2d) %s\n' "$((i + 1))" "${options[i]}"
    done
    printf '%2d) %s\n' 0 "${options[${#options[@]} - 1]}"
    read -r -p "Elija una opción: " CHOICE || bye
    CHOICE="${CHOICE//[[:space:]]/}"
}

# ask PROMPT : sets ANSWER (may be empty).
ask() {
    read -r -p "$1: " ANSWER || bye
}

# ask_required PROMPT : asks until the answer is not empty.
ask_required() {
    while true; do
        ask "$1"
        [[ -n "$ANSWER" ]] && return 0
        echo "Este dato es obligatorio."
    done
}

# opt FLAG PROMPT : adds "FLAG value" to ARGS when the operator types a value.
opt() {
    ask "$2"
    if [[ -n "$ANSWER" ]]; then
        ARGS+=("$1" "$ANSWER")
    fi
}

# opt_bool FLAG PROMPT : s/n question; adds "FLAG true|false" to ARGS, nothing when left empty.
opt_bool() {
    while true; do
        ask "$2 (s/n, vacío: no cambiar)"
        case "${ANSWER,,}" in
            "") return 0 ;;
            s | si | sí | y | yes) ARGS+=("$1" true); return 0 ;;
            n | no) ARGS+=("$1" false); return 0 ;;
            *) echo "Responda s o n." ;;
        esac
    done
}

# confirm QUESTION : true when the operator answers yes.
confirm() {
    ask "$1 (s/N)"
    [[ "${ANSWER,,}" =~ ^(s|si|sí|y|yes)$ ]]
}

pause() {
    read -r -p "Pulse Intro para continuar..." _ || bye
}

# delete_with_force ARGS... : runs a delete; if the CLI refuses it because something depends on it,
# shows why and offers to repeat it with --force.
delete_with_force() {
    local output rc
    printf '\n$ tattile-sender admin %s\n' "$*"
    output="$(java -jar "$TATTILE_JAR" admin "$@" 2>&1)"
    rc=$?
    echo "$output"
    if ((rc != 0)) && [[ "$output" == *"--force"* ]]; then
        if confirm "¿Eliminarlo igualmente, con lo que depende de él (--force)?"; then
            admin "$@" --force
        fi
    fi
}

# --- sections ---

menu_municipios() {
    while true; do
        choose "Municipios" "Listar" "Añadir" "Modificar" "Eliminar" "Asignar certificado" "Asignar endpoint" "Volver"
        case "$CHOICE" in
            1) admin municipality list ;;
            2)
                ask_required "Nombre del municipio"
                local name=$ANSWER
                ARGS=()
                opt --code "Código de municipio (opcional)"
                admin municipality add --name "$name" ${ARGS[@]+"${ARGS[@]}"}
                ;;
            3)
                ask_required "Municipio a modificar"
                local name=$ANSWER
                ARGS=()
                opt --new-name "Nuevo nombre (vacío: no cambiar)"
                opt --code "Nuevo código (vacío: no cambiar)"
                opt_bool --active "¿Activo?"
                admin municipality update --name "$name" ${ARGS[@]+"${ARGS[@]}"}
                ;;
            4)
                ask_required "Municipio a eliminar"
                delete_with_force municipality delete --name "$ANSWER"
                ;;
            5)
                ask_required "Municipio"
                local name=$ANSWER
                ask_required "Certificado (nombre, o none para quitarlo)"
                admin assign --certificate "$ANSWER" --municipality "$name"
                ;;
            6)
                ask_required "Municipio"
                local name=$ANSWER
                ask_required "Endpoint (nombre, o none para usar MOSSOS_ENDPOINT_URL)"
                admin assign --endpoint "$ANSWER" --municipality "$name"
                ;;
            0) return 0 ;;
            *) echo "Opción no válida." ; continue ;;
        esac
        pause
    done
}

# The optional camera fields, for add and update.
camera_fields() {
    opt --codigo-lector "Código de lector (vacío: $1)"
    opt --description "Descripción (vacío: $1)"
    opt --endpoint "Endpoint propio (nombre o none; vacío: $1)"
    opt --certificate "Certificado propio (nombre o none; vacío: $1)"
    opt --coord-x "Coordenada X (vacío: $1)"
    opt --coord-y "Coordenada Y (vacío: $1)"
    opt --utm-x "UTM X (vacío: $1)"
    opt --utm-y "UTM Y (vacío: $1)"
    opt --timezone "Zona horaria, p. ej. Europe/Madrid (none: la general; vacío: $1)"
    opt_bool --active "¿Activa?"
}

menu_camaras() {
    while true; do
        choose "Cámaras" "Listar" "Añadir" "Modificar" "Eliminar" "Asignar certificado propio" "Asignar endpoint propio" \
            "Actividad esperada (avisar si deja de enviar)" "Cámaras silenciosas" "Volver"
        case "$CHOICE" in
            1)
                ARGS=()
                opt --municipality "Municipio (vacío: todas las cámaras)"
                admin camera list ${ARGS[@]+"${ARGS[@]}"}
                ;;
            2)
                ask_required "Número de serie (DEVICE_SN)"
                local serial=$ANSWER
                ask_required "Municipio"
                local municipality=$ANSWER
                ARGS=()
                camera_fields "sin valor"
                admin camera add --serial "$serial" --municipality "$municipality" ${ARGS[@]+"${ARGS[@]}"}
                ;;
            3)
                ask_required "Número de serie de la cámara a modificar"
                local serial=$ANSWER
                ARGS=()
                opt --municipality "Mover al municipio (vacío: no cambiar)"
                camera_fields "no cambiar"
                admin camera update --serial "$serial" ${ARGS[@]+"${ARGS[@]}"}
                ;;
            4)
                ask_required "Número de serie de la cámara a eliminar"
                delete_with_force camera delete --serial "$ANSWER"
                ;;
            5)
                ask_required "Número de serie"
                local serial=$ANSWER
                ask_required "Certificado (nombre, o none para usar el del municipio)"
                admin assign --certificate "$ANSWER" --camera "$serial"
                ;;
            6)
                ask_required "Número de serie"
                local serial=$ANSWER
                ask_required "Endpoint (nombre, o none para usar el del municipio)"
                admin assign --endpoint "$ANSWER" --camera "$serial"
                ;;
            7)
                ask_required "Número de serie"
                local serial=$ANSWER
                ask_required "Avisar si no envía nada en, p. ej. 1h, 30m, 2d (none: no vigilarla; default: CAMERA_SILENCE_DEFAULT)"
                admin camera update --serial "$serial" --expect-readings-within "$ANSWER"
                ;;
            8)
                ask "Silenciosas desde hace más de, p. ej. 1h (vacío: 1h)"
                admin camera list --silent "${ANSWER:-1h}"
                ;;
            0) return 0 ;;
            *) echo "Opción no válida." ; continue ;;
        esac
        pause
    done
}

menu_endpoints() {
    while true; do
        choose "Endpoints" "Listar" "Añadir" "Modificar" "Eliminar" "Volver"
        case "$CHOICE" in
            1) admin endpoint list ;;
            2)
                ask_required "Nombre del endpoint"
                local name=$ANSWER
                ask_required "URL (http:// o https://)"
                local url=$ANSWER
                ARGS=()
                opt --timeout-ms "Tiempo máximo de espera en ms (vacío: 30000)"
                opt --retry-max "Reintentos máximos (vacío: el valor general)"
                opt --retry-backoff-ms "Espera inicial entre reintentos en ms (vacío: el valor general)"
                opt --soap-action "SOAPAction (vacío: ninguna)"
                admin endpoint add --name "$name" --url "$url" ${ARGS[@]+"${ARGS[@]}"}
                ;;
            3)
                ask_required "Endpoint a modificar"
                local name=$ANSWER
                ARGS=()
                opt --new-name "Nuevo nombre (vacío: no cambiar)"
                opt --url "Nueva URL (vacío: no cambiar)"
                opt --timeout-ms "Tiempo máximo de espera en ms (vacío: no cambiar)"
                opt --retry-max "Reintentos máximos (vacío: no cambiar)"
                opt --retry-backoff-ms "Espera inicial entre reintentos en ms (vacío: no cambiar)"
                opt --soap-action "SOAPAction (vacío: no cambiar)"
                opt_bool --active "¿Activo?"
                admin endpoint update --name "$name" ${ARGS[@]+"${ARGS[@]}"}
                ;;
            4)
                ask_required "Endpoint a eliminar"
                delete_with_force endpoint delete --name "$ANSWER"
                ;;
            0) return 0 ;;
            *) echo "Opción no válida." ; continue ;;
        esac
        pause
    done
}

menu_certificados() {
    while true; do
        choose "Certificados" "Listar (con caducidad)" "Importar PFX/P12" "Añadir PEM (clave + certificado)" \
            "Asignar a un municipio" "Asignar a una cámara" "Eliminar" "Volver"
        case "$CHOICE" in
            1) admin certificate list ;;
            2)
                ask_required "Fichero .pfx/.p12"
                local file=$ANSWER
                ask_required "Municipio que firmará con él"
                local municipality=$ANSWER
                ARGS=()
                opt --name "Nombre del certificado (vacío: el del municipio)"
                opt --password-file "Fichero con la contraseña (vacío: se pedirá)"
                admin certificate import-pfx --file "$file" --municipality "$municipality" ${ARGS[@]+"${ARGS[@]}"}
                ;;
            3)
                ask_required "Nombre del certificado"
                local name=$ANSWER
                ask_required "Fichero de la clave privada (PEM)"
                local key=$ANSWER
                ask_required "Fichero del certificado o cadena (PEM)"
                local cert=$ANSWER
                ARGS=()
                opt --municipality "Municipio que firmará con él (vacío: ninguno)"
                admin certificate add-pem --name "$name" --key "$key" --cert "$cert" ${ARGS[@]+"${ARGS[@]}"}
                ;;
            4)
                ask_required "Certificado (nombre, o none para quitarlo)"
                local name=$ANSWER
                ask_required "Municipio"
                admin assign --certificate "$name" --municipality "$ANSWER"
                ;;
            5)
                ask_required "Certificado (nombre, o none para usar el del municipio)"
                local name=$ANSWER
                ask_required "Número de serie de la cámara"
                admin assign --certificate "$name" --camera "$ANSWER"
                ;;
            6)
                ask_required "Certificado a eliminar"
                delete_with_force certificate delete --name "$ANSWER"
                ;;
            0) return 0 ;;
            *) echo "Opción no válida." ; continue ;;
        esac
        pause
    done
}

menu_cola() {
    while true; do
        choose "Cola y limpieza" "Estadísticas de la cola" "Listar lecturas en cola" "Reencolar una lectura (por id)" \
            "Reencolar lecturas DEAD" "Purgar lecturas DEAD" "Purgar lecturas antiguas" "Purgar imágenes huérfanas" "Volver"
        case "$CHOICE" in
            1) admin queue stats ;;
            2)
                ARGS=()
                opt --status "Estado: PENDING, SENDING, FAILED o DEAD (vacío: todos)"
                opt --limit "Cuántas como máximo (vacío: 50)"
                admin queue list ${ARGS[@]+"${ARGS[@]}"}
                ;;
            3)
                ask_required "Id de la cola (columna ID de la lista)"
                admin queue requeue --id "$ANSWER"
                ;;
            4)
                ARGS=()
                opt --error "Solo las que tengan un error que empiece por (vacío: todas)"
                if confirm "¿Reencolar las lecturas DEAD?"; then
                    admin queue requeue --status DEAD ${ARGS[@]+"${ARGS[@]}"}
                else
                    continue
                fi
                ;;
            5)
                ARGS=()
                opt --older-than-days "Solo las DEAD desde hace más de N días (vacío: todas)"
                if confirm "Se borrarán las lecturas DEAD y sus imágenes. ¿Continuar?"; then
                    admin queue purge --status DEAD ${ARGS[@]+"${ARGS[@]}"}
                else
                    continue
                fi
                ;;
            6)
                ask_required "Borrar las lecturas recibidas hace más de N días (N)"
                local days=$ANSWER
                if confirm "Se borrarán esas lecturas (salvo las que se están enviando) y sus imágenes. ¿Continuar?"; then
                    admin readings purge --older-than-days "$days"
                else
                    continue
                fi
                ;;
            7)
                ARGS=()
                opt --grace-minutes "Solo ficheros de más de N minutos (vacío: IMAGES_ORPHAN_GRACE_MINUTES)"
                admin images purge-orphans ${ARGS[@]+"${ARGS[@]}"}
                ;;
            0) return 0 ;;
            *) echo "Opción no válida." ; continue ;;
        esac
        pause
    done
}

menu_estado() {
    while true; do
        choose "Estado del sistema" "Ver estado" "Ver estado (JSON)" "Actualizar el esquema de la base de datos" "Volver"
        case "$CHOICE" in
            1) admin status ;;
            2) admin status --json ;;
            3) admin db migrate ;;
            0) return 0 ;;
            *) echo "Opción no válida." ; continue ;;
        esac
        pause
    done
}

# systemctl/journalctl as root, through sudo otherwise.
as_root() {
    if ((EUID == 0)); then
        "$@"
    else
        sudo "$@"
    fi
}

reiniciar_servicio() {
    if confirm "¿Reiniciar el servicio $SERVICE?"; then
        echo "\$ systemctl restart $SERVICE"
        if as_root systemctl restart "$SERVICE"; then
            echo "Servicio reiniciado ($(systemctl is-active "$SERVICE" 2>/dev/null || echo "estado desconocido"))."
        else
            echo "No se ha podido reiniciar el servicio."
        fi
        pause
    fi
}

ver_logs() {
    echo "Mostrando los logs de $SERVICE; pulse Ctrl+C para volver al menú."
    echo "\$ journalctl -u $SERVICE -f"
    trap ':' INT     # Ctrl+C stops journalctl, not this menu
    as_root journalctl -u "$SERVICE" -f
    trap - INT
}

# --- system utilities ---

# setting KEY DEFAULT : prints the value the CLI would use: the environment, else the last KEY= line of the
# configuration file (TATTILE_ENV_FILE, else ./.env), else DEFAULT. Only for non-secret settings. The same reading
# as deploy/lib/envfile.sh (quotes, " #" comments, "export "), written out here because this script is installed
# alone (/usr/local/bin/tattile-ajustes).
setting() {
    local key=$1 default=$2 file line value=""
    if [[ -n "${!key:-}" ]]; then
        printf '%s\n' "${!key}"
        return 0
    fi
    file="${TATTILE_ENV_FILE:-.env}"
    if [[ -r "$file" ]]; then
        line="$(grep -E "^[[:space:]]*(export[[:space:]]+)?${key}[[:space:]]*=" "$file" | tail -n 1)"
        if [[ -n "$line" ]]; then
            value="${line#*=}"
            value="${value#"${value%%[![:space:]]*}"}"    # leading blanks
            if [[ "$value" =~ ^\"(.*)\"[[:space:]]*$ || "$value" =~ ^\'(.*)\'[[:space:]]*$ ]]; then
                value="${BASH_REMATCH[1]}"
            else
                value="${value%% #*}"                          # a trailing comment
                value="${value%"${value##*[![:space:]]}"}"    # trailing blanks
            fi
        fi
    fi
    printf '%s\n' "${value:-$default}"
}

# have COMMAND : true when the command is installed; otherwise says which one is missing.
have() {
    if command -v "$1" >/dev/null 2>&1; then
        return 0
    fi
    echo "No se puede leer: falta el comando $1 en esta máquina."
    return 1
}

# service_pid : prints the service's process id (systemd's MainPID, else the java process running the jar
# with no subcommand, as the unit starts it); nothing when it is not running.
service_pid() {
    local pid=""
    if command -v systemctl >/dev/null 2>&1; then
        pid="$(systemctl show -p MainPID --value "$SERVICE" 2>/dev/null)"
    fi
    if [[ ! "$pid" =~ ^[1-9][0-9]*$ ]] && command -v pgrep >/dev/null 2>&1; then
        # "...tattile-sender.jar" at the end of the command line: the service, not an admin or simulate run.
        pid="$(pgrep -o -f 'tattile-sender\.jar$' 2>/dev/null)"
    fi
    if [[ "$pid" =~ ^[1-9][0-9]*$ ]]; then
        printf '%s\n' "$pid"
    fi
}

uso_recursos() {
    local pid rss store dir port out rc count one five fifteen
    echo
    echo "--- Proceso del servicio ($SERVICE) ---"
    pid="$(service_pid)"
    if [[ -z "$pid" ]]; then
        echo "No se ha encontrado el proceso del servicio (¿está parado?): no se puede leer su CPU ni su memoria."
    elif have ps; then
        echo "\$ ps -o pid,%cpu,rss,etime -p $pid"
        if ps -o pid,%cpu,rss,etime -p "$pid"; then
            rss="$(ps -o rss= -p "$pid" 2>/dev/null | tr -d '[:space:]')"
            if [[ "$rss" =~ ^[0-9]+$ ]]; then
                echo "Memoria del proceso (RSS): $((rss / 1024)) MB; %CPU es la media desde que arrancó (ELAPSED)."
            fi
        else
            echo "No se ha podido leer el proceso $pid (puede haber terminado)."
        fi
    fi

    echo
    echo "--- Carga del sistema ---"
    if [[ -r /proc/loadavg ]]; then
        read -r one five fifteen _ </proc/loadavg
        echo "Carga media: $one (1 min), $five (5 min), $fifteen (15 min); núcleos: $(nproc 2>/dev/null || echo '?')"
    elif have uptime; then
        uptime
    fi

    echo
    echo "--- Memoria del sistema ---"
    if have free; then
        echo "\$ free -m"
        free -m || echo "No se ha podido leer la memoria."
    fi

    echo
    echo "--- Disco de las imágenes ---"
    store="$(setting IMAGE_STORE folder)"
    if [[ "$store" == "s3" ]]; then
        echo "IMAGE_STORE=s3: las imágenes están en el bucket $(setting S3_BUCKET '(S3_BUCKET sin definir)'), no en el disco de esta máquina."
    else
        dir="$(setting IMAGES_BASE_DIR /var/lib/tattile-sender/images)"
        echo "Carpeta de imágenes (IMAGES_BASE_DIR): $dir"
        if [[ ! -d "$dir" ]]; then
            echo "La carpeta no existe o no se puede leer: no se puede medir su disco."
        else
            if have df; then
                echo "\$ df -h $dir"
                df -h "$dir" || echo "No se ha podido leer el espacio libre."
            fi
            if have du; then
                echo "\$ du -sh $dir   (puede tardar con muchas imágenes)"
                du -sh "$dir" 2>/dev/null || echo "No se ha podido medir la carpeta entera (¿permisos?)."
            fi
        fi
    fi

    echo
    port="$(setting TRANSIT_PORT 33334)"
    echo "--- Conexiones de cámaras (puerto $port, TRANSIT_PORT) ---"
    if have ss; then
        echo "\$ ss -Htn state established \"( sport = :$port )\" | wc -l"
        out="$(ss -Htn state established "( sport = :$port )" 2>/dev/null)"
        rc=$?
        if ((rc != 0)); then
            echo "No se han podido contar las conexiones (ss ha terminado con error $rc)."
        else
            count="$(printf '%s' "$out" | grep -c .)"
            if ((count == 1)); then
                echo "1 conexión de cámara establecida."
            else
                echo "$count conexiones de cámara establecidas."
            fi
        fi
    fi
}

simular_camara() {
    local serial count port listed rc
    if confirm "¿Ver antes las cámaras registradas?"; then
        admin camera list
    fi
    ask_required "Número de serie de la cámara que se simula (debe estar registrada)"
    serial=$ANSWER
    if [[ ! "$serial" =~ ^[A-Za-z0-9_-]{1,64}$ ]]; then
        echo "Número de serie no válido: 1-64 letras, cifras, '-' o '_'."
        return 0
    fi
    listed="$(java -jar "$TATTILE_JAR" admin camera list --json 2>&1)"
    rc=$?
    if ((rc != 0)); then
        echo "No se ha podido comprobar la cámara (error $rc): $listed"
        return 0
    fi
    if ! grep -Eq "\"serial\"[[:space:]]*:[[:space:]]*\"$serial\"" <<<"$listed"; then
        echo "La cámara $serial no está registrada: regístrela en Cámaras > Añadir (el servicio rechaza las lecturas de cámaras desconocidas)."
        return 0
    fi
    while true; do
        ask "¿Cuántas lecturas? (vacío: 10)"
        count="${ANSWER:-10}"
        [[ "$count" =~ ^[1-9][0-9]{0,5}$ ]] && break
        echo "Escriba un número entre 1 y 999999."
    done
    port="$(setting TRANSIT_PORT 33334)"
    echo "Se enviarán $count lecturas simuladas como la cámara $serial al servicio (127.0.0.1:$port)."
    if ! confirm "El servicio las guardará y las enviará como lecturas reales de esa cámara. ¿Continuar?"; then
        return 0
    fi
    printf '\n$ tattile-sender simulate --serial %s --readings %s --connections 1 --host 127.0.0.1 --port %s\n' \
        "$serial" "$count" "$port"
    java -jar "$TATTILE_JAR" simulate --serial "$serial" --readings "$count" --connections 1 --host 127.0.0.1 --port "$port"
    rc=$?
    if ((rc != 0)); then
        echo "(la simulación ha terminado con error $rc; ¿está el servicio en marcha y escuchando en el puerto $port?)"
    else
        echo "Las lecturas aceptadas aparecen en los logs ([INGEST] Lectura recibida) y en Cámaras > Listar (última lectura)."
    fi
}

menu_utilidades() {
    while true; do
        choose "Utilidades del sistema" "Uso de recursos" "Simular una cámara" "Volver"
        case "$CHOICE" in
            1) uso_recursos ;;
            2) simular_camara ;;
            0) return 0 ;;
            *) echo "Opción no válida." ; continue ;;
        esac
        pause
    done
}

# --- main menu ---

main() {
    echo "tattile-sender: ajustes (jar: $TATTILE_JAR; configuración: ${TATTILE_ENV_FILE:-entorno y ./.env})"
    while true; do
        choose "Menú principal" "Municipios" "Cámaras" "Endpoints" "Certificados" "Cola y limpieza" "Estado del sistema" \
            "Reiniciar servicio" "Ver logs" "Utilidades del sistema" "Salir"
        case "$CHOICE" in
            1) menu_municipios ;;
            2) menu_camaras ;;
            3) menu_endpoints ;;
            4) menu_certificados ;;
            5) menu_cola ;;
            6) menu_estado ;;
            7) reiniciar_servicio ;;
            8) ver_logs ;;
            9) menu_utilidades ;;
            0) bye ;;
            *) echo "Opción no válida." ;;
        esac
    done
}

main "$@"
