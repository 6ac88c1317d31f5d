# SPDX-License-Identifier: ISC
# The part of duct's completion that bash and zsh share (POSIX shell,
# word splitting on; zsh calls it with sh_word_split set).  After the
# generated tables: _duct_kinds, _duct_opts, _duct_globals.

# _duct_kind_row KIND: prints "GROUPS TAKES-PARAMS PATH" of KIND, or nothing.
_duct_kind_row() {
	local name groups takes ispath
	while read -r name groups takes ispath; do
		[ "$name" = "$1" ] && { echo "$groups $takes $ispath"; return; }
	done <<_DUCT_EOF
$_duct_kinds
_DUCT_EOF
}

# _duct_cands WORD PREV: what can replace WORD.  The first line says how:
# "w" then whole words, "f PREFIX" or "d PREFIX" for files or directories
# after the text PREFIX of WORD.
_duct_cands() {
	local cur=$1 prev=$2 pre= a name groups takes ispath row kind kg o v cls
	local want
	# A global option's value, or a global option.
	while read -r name cls; do
		[ "$cls" = path ] || continue
		case $name in
		*=) case $cur in "$name"*) echo "f $name"; return ;; esac ;;
		*) [ "$prev" = "$name" ] && { echo "f "; return; } ;;
		esac
	done <<_DUCT_EOF
$_duct_globals
_DUCT_EOF
	case $cur in
	-|-,*|-!!*) ;;
	-*)
		echo w
		while read -r name cls; do
			case $name in "$cur"*) echo "$name" ;; esac
		done <<_DUCT_EOF
$_duct_globals
_DUCT_EOF
		return ;;
	esac
	# A dual address A!!B: B is completed like an address of its own.
	case $cur in *!!*) pre=${cur%!!*}!!; a=${cur##*!!} ;; *) a=$cur ;; esac
	case $a in
	*,*)
		kind=${a%%[:,]*}
		row=$(_duct_kind_row "$kind")
		[ -n "$row" ] || { echo w; return; }
		kg=${row%% *}
		pre=$pre${a%,*},
		o=${a##*,}
		case $o in
		*=*)
			want=${o#*=}
			name=${o%%=*}
			pre=$pre$name=
			while read -r row groups cls; do
				[ "$row" = "$name" ] || continue
				cls=${cls%:opt}
				case $cls in
				file) echo "f $pre"; return ;;
				dir) echo "d $pre"; return ;;
				flag) cls="set:0|1" ;;
				esac
				echo w
				case $cls in set:*)
					for v in $(echo "${cls#set:}" | tr '|' ' '); do
						case $v in "$want"*) echo "$pre$v" ;; esac
					done ;;
				esac
				return
			done <<_DUCT_EOF
$_duct_opts
_DUCT_EOF
			echo w
			return ;;
		esac
		echo w
		while read -r name groups cls; do
			[ -n "$name" ] && [ $((groups & kg)) != 0 ] || continue
			case $name in "$o"*) ;; *) continue ;; esac
			case $cls in
			flag|*:opt) echo "$pre$name" ;;
			*) echo "$pre$name=" ;;
			esac
		done <<_DUCT_EOF
$_duct_opts
_DUCT_EOF
		return ;;
	*:*)
		# A path as the first parameter: OPEN:, CREATE:, UNIX-CONNECT:...
		kind=${a%%:*}
		row=$(_duct_kind_row "$kind")
		case $row in *" 1") ;; *) echo w; return ;; esac
		case ${a#*:} in *:*) echo w; return ;; esac
		echo "f $pre$kind:"
		return ;;
	/*|./*|../*|~*)
		echo "f $pre"
		return ;;
	esac
	echo w
	while read -r name groups takes ispath; do
		[ -n "$name" ] || continue
		case $name in "$a"*) ;; *) continue ;; esac
		if [ "$takes" = 1 ]; then echo "$pre$name:"; else echo "$pre$name"; fi
	done <<_DUCT_EOF
$_duct_kinds
_DUCT_EOF
}
