# bash completion for ptool                                 -*- shell-script -*-
#
# Everything comes from the program itself, through its hidden protocol:
#   ptool --complete             NAME<TAB>DESCRIPTION, one line per command
#   ptool --complete CMD         SPELLING<TAB>METAVAR<TAB>DESCRIPTION per option
#   ptool --complete CMD OPT     the values OPT accepts, one a line, or "@file"
# so a new option or value needs no change here.  Only the global options
# (--help, --version), which belong to no command, are named below.

# _ptool_words: COMP_WORDS up to the cursor, with "--opt", "=", "value"
# joined back into "--opt=value" (bash splits at '=' when it is in
# COMP_WORDBREAKS, as it is by default).
_ptool_words()
{
	local i w
	_ptool_w=()
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]-}
		if ((${#_ptool_w[@]} > 1)); then
			local last=${_ptool_w[${#_ptool_w[@]} - 1]}
			if [[ $w == = && $last == --* && $last != *=* ]] ||
				[[ $last == --*= && $i -gt 0 && ${COMP_WORDS[i - 1]} == = ]]; then
				_ptool_w[${#_ptool_w[@]} - 1]=$last$w
				continue
			fi
		fi
		_ptool_w+=("$w")
	done
}

# _ptool_reply PREFIX CUR VALUES...: COMPREPLY gets each value that starts
# with CUR, preceded by PREFIX.
_ptool_reply()
{
	local pfx=$1 cur=$2 v
	shift 2
	for v in "$@"; do
		[[ $v == "$cur"* ]] && COMPREPLY+=("$pfx$v")
	done
	return 0
}

# _ptool_files PREFIX CUR: file names (directories get a trailing slash).
_ptool_files()
{
	local pfx=$1 cur=$2 f
	compopt -o filenames 2>/dev/null || true
	while IFS= read -r f; do
		COMPREPLY+=("$pfx$f")
	done < <(compgen -f -- "$cur")
	return 0
}

# _ptool_values PROG CMD OPT PREFIX CUR: the values of option OPT.
_ptool_values()
{
	local prog=$1 cmd=$2 opt=$3 pfx=$4 cur=$5 v
	local -a vals=()
	while IFS= read -r v; do
		[[ -n $v ]] && vals+=("$v")
	done < <("$prog" --complete "$cmd" "$opt" 2>/dev/null)
	if [[ ${vals[*]-} == @file ]]; then
		_ptool_files "$pfx" "$cur"
	else
		_ptool_reply "$pfx" "$cur" "${vals[@]}"
	fi
}

_ptool()
{
	COMPREPLY=()
	local -a _ptool_w
	_ptool_words
	local n=${#_ptool_w[@]}
	local cur=${_ptool_w[n - 1]} prev=
	((n > 1)) && prev=${_ptool_w[n - 2]}
	local prog=${_ptool_w[0]/#\~/$HOME}
	# A command name that is not found (completion set up for an alias, say)
	# falls back to the ptool on PATH.
	type -P -- "$prog" >/dev/null 2>&1 || prog=ptool

	# The command is the first word after the program that is no option.
	local cmd='' i
	for ((i = 1; i < n - 1; i++)); do
		if [[ ${_ptool_w[i]} != -* ]]; then
			cmd=${_ptool_w[i]}
			break
		fi
	done

	if [[ -z $cmd ]]; then
		local -a names=()
		local name rest
		if [[ $cur == -* ]]; then
			names=(--help --version -h)
		else
			while IFS=$'\t' read -r name rest; do
				[[ -n $name ]] && names+=("$name")
			done < <("$prog" --complete 2>/dev/null)
		fi
		_ptool_reply "" "$cur" "${names[@]}"
		return 0
	fi

	# The command's options: spelling and metavar (empty: takes no value).
	local -A meta=()
	local -a spells=()
	local line spell mv
	while IFS= read -r line; do
		# Split by hand: read would merge the two tabs around an empty METAVAR.
		spell=${line%%$'\t'*}
		mv=${line#"$spell"$'\t'}
		mv=${mv%%$'\t'*}
		[[ $spell == -* ]] || continue
		spells+=("$spell")
		meta[$spell]=$mv
	done < <("$prog" --complete "$cmd" 2>/dev/null)

	# Options end at "--"; the last word may be a value or an operand.
	local opts=1
	for ((i = i + 1; i < n - 1; i++)); do
		if [[ ${_ptool_w[i]} == -- ]]; then
			opts=0
			break
		fi
	done

	if ((opts)) && [[ $cur == --*=* ]]; then
		local opt=${cur%%=*}
		# With '=' in COMP_WORDBREAKS (the default) bash has split the word
		# and only the value is replaced; else the whole "--opt=value" is.
		local pfx=
		[[ ${COMP_WORDS[COMP_CWORD]-} == --*=* ]] && pfx=$opt=
		[[ -n ${meta[$opt]-} ]] && _ptool_values "$prog" "$cmd" "$opt" "$pfx" "${cur#*=}"
		return 0
	fi
	if ((opts)) && [[ -n $prev && -n ${meta[$prev]-} ]]; then
		_ptool_values "$prog" "$cmd" "$prev" "" "$cur"
		return 0
	fi
	if ((opts)) && [[ $cur == -* ]]; then
		_ptool_reply "" "$cur" "${spells[@]}"
		return 0
	fi
	_ptool_files "" "$cur"
	return 0
}

complete -F _ptool ptool
