# bash completion for certdaemon. The program completes itself: System.CommandLine's [suggest:POSITION] directive
# answers with the commands and options valid at the cursor, so this file never lists them (nothing to drift).
_certdaemon() {
  local program=${COMP_WORDS[0]} line=${COMP_LINE:0:COMP_POINT} IFS=$'\n'
  line=${line#"$program"}
  line=${line#" "}
  local candidates
  candidates=$("$program" "[suggest:${#line}]" "$line" 2>/dev/null) || return 0
  # Windows-style spellings (/?, /h) and -? are noise in a shell.
  candidates=$(printf '%s\n' "$candidates" | grep -v -e '^/' -e '^-?$')
  COMPREPLY=($(compgen -W "$candidates" -- "${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _certdaemon certdaemon
