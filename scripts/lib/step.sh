# step NAME LOG -- command...: runs a command into LOG, appends a "| NAME | pass/FAIL | time |"
# row to $steps_file, sets status=1 on failure, and shows the log's last lines.
step() {
  local name=$1 log=$2
  shift 3
  local t0=$SECONDS
  "$@" >"$log" 2>&1
  local rc=$?
  echo "| $name | $([[ $rc -eq 0 ]] && echo pass || echo "FAIL (exit $rc)") | $((SECONDS - t0)) s |" >>"$steps_file"
  [[ $rc -eq 0 ]] || status=1
  tail -3 "$log"
}
