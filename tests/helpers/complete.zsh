# zsh -f complete.zsh SCRIPT LINE: runs zsh's completion function SCRIPT
# (_duct) for the last word of "duct LINE" with compsys's builtins
# replaced by stand-ins that print what they were given: compadd prints
# each candidate, _files "FILES IPREFIX|PREFIX" (the text kept before the
# path, and the path typed so far).
compadd() {
	while [[ $1 != -- ]]; do shift; done
	shift
	(($#)) && print -rl -- "$@"
}
_files() {
	print -r -- "FILES $IPREFIX|$PREFIX${1:+ $1}"
}
words=(duct ${(z)2})
[[ $2 == *' ' ]] && words+=('')
CURRENT=${#words}
PREFIX=${words[CURRENT]}
IPREFIX=
source $1
