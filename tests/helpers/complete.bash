# bash complete.bash SCRIPT LINE: prints the candidates (COMPREPLY, one a
# line) bash's completion SCRIPT gives at the end of the command line
# "duct LINE", with the words split as readline splits them: at blanks,
# and at the characters of COMP_WORDS the way bash does.  Loads
# bash-completion first, as an interactive shell would.
set -u
# shellcheck source=/dev/null
. /usr/share/bash-completion/bash_completion
# shellcheck source=/dev/null
. "$1"
line="duct $2"
brk=${COMP_WORDBREAKS//[[:space:]]/}
words=()
w=
for ((i = 0; i < ${#line}; i++)); do
	c=${line:i:1}
	if [[ $c == [[:space:]] ]]; then
		[[ -n $w ]] && words+=("$w")
		w=
		continue
	fi
	# A run of break characters is a word of its own.
	a=0 b=0
	[[ $brk == *"$c"* ]] && a=1
	[[ -n $w && $brk == *"${w: -1}"* ]] && b=1
	if [[ -n $w && $a != "$b" ]]; then
		words+=("$w")
		w=
	fi
	w+=$c
done
words+=("$w")
COMP_WORDS=("${words[@]}")
COMP_CWORD=$((${#words[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
_duct duct "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
