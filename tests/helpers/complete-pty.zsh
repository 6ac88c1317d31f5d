# zsh -f complete-pty.zsh DIR LINE PATTERN: a real interactive zsh in a
# pty with compinit and DIR (holding _duct) first in fpath; types
# "duct LINE" and a tab, then reads what the terminal shows until it
# matches PATTERN (a zsh glob).  Run it under timeout: a completion that
# never shows PATTERN waits forever.
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; print READY"
zpty -r z out '*READY*'
zpty -w -n z "duct $2"$'\t'
zpty -r z out "$3"
zpty -d z
