# SPDX-License-Identifier: ISC
# zsh glue: compadd from _duct_cands; files through _files after the
# address text that comes before the path.
_duct() {
	local out mode pre prev
	local -a cands
	prev=${words[CURRENT-1]}
	out=$(setopt sh_word_split; _duct_cands "$PREFIX" "$prev")
	mode=${out%%$'\n'*}
	case $mode in
	w)
		[[ $out == w ]] && return 1
		cands=("${(@f)${out#*$'\n'}}")
		compadd -Q -S '' -- ${(M)cands:#*[:=]}
		compadd -Q -- ${cands:#*[:=]}
		;;
	f*|d*)
		pre=${mode#? }
		IPREFIX=$IPREFIX$pre
		PREFIX=${PREFIX[${#pre}+1,-1]}
		if [[ $mode == d* ]]; then _files -/; else _files; fi
		;;
	esac
}

_duct "$@"
