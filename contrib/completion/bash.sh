# SPDX-License-Identifier: ISC
# bash glue: COMPREPLY from _duct_cands, cut at the word breaks bash
# split the word at (':' and '=' by default), files through compgen.
_duct() {
	local cur prev words cword out mode pre c brk i
	if declare -F _init_completion >/dev/null; then
		_init_completion -n := || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi
	out=$(_duct_cands "$cur" "$prev")
	mode=${out%%$'\n'*}
	COMPREPLY=()
	case $mode in
	w)
		[ "$out" = w ] && return
		mapfile -t COMPREPLY <<<"${out#*$'\n'}"
		;;
	f*|d*)
		pre=${mode#? }
		local -a found
		if [ "${mode%% *}" = d ]; then
			mapfile -t found < <(compgen -d -- "${cur#"$pre"}")
		else
			mapfile -t found < <(compgen -f -- "${cur#"$pre"}")
		fi
		for c in "${found[@]}"; do
			[ -n "$c" ] || continue
			[ -d "$c" ] && c=$c/
			COMPREPLY+=("$pre$c")
		done
		;;
	esac
	# Readline replaces only the text after the last word break in cur.
	brk=
	case $COMP_WORDBREAKS in *:*) brk=$brk: ;; esac
	case $COMP_WORDBREAKS in *=*) brk=$brk= ;; esac
	if [ -n "$brk" ]; then
		case $cur in
		*[$brk]*)
			c=${cur%[$brk]*}
			for i in "${!COMPREPLY[@]}"; do
				COMPREPLY[i]=${COMPREPLY[i]:${#c}+1}
			done
			;;
		esac
	fi
	for c in "${COMPREPLY[@]}"; do
		case $c in *[:=/]) compopt -o nospace 2>/dev/null; break ;; esac
	done
}
complete -F _duct duct
