# fish completion for ptool.
#
# Everything comes from the program itself, through its hidden protocol:
#   ptool --complete             NAME<TAB>DESCRIPTION, one line per command
#   ptool --complete CMD         SPELLING<TAB>METAVAR<TAB>DESCRIPTION per option
#   ptool --complete CMD OPT     the values OPT accepts, one a line, or "@file"
# so a new option or value needs no change here.  Only the global options
# (--help, --version), which belong to no command, are named below.

# The program as typed (./ptool works too), else the ptool on PATH; fails
# when there is none.
function __ptool_prog
    set -l prog (commandline -opc)[1]
    if test -n "$prog"; and command -q -- $prog
        echo -- $prog
    else if command -q ptool
        echo ptool
    else
        return 1
    end
end

# The commands as NAME<TAB>DESCRIPTION.
function __ptool_commands
    set -l prog (__ptool_prog); or return
    $prog --complete 2>/dev/null
end

# The command word, if one has been typed: the first word that is no option.
function __ptool_cmd
    for word in (commandline -opc)[2..-1]
        if not string match -q -- '-*' $word
            echo -- $word
            return 0
        end
    end
    return 1
end

# The command's options as SPELLING<TAB>METAVAR<TAB>DESCRIPTION.
function __ptool_table -a prog cmd
    $prog --complete $cmd 2>/dev/null | string match -- '-*'
end

# The values of option OPT, each preceded by PREFIX.
function __ptool_values -a prog cmd opt prefix value
    set -l vals ($prog --complete $cmd $opt 2>/dev/null)
    if test "$vals" = @file
        set vals (__fish_complete_path $value)
    end
    for v in $vals
        printf '%s%s\n' $prefix $v
    end
end

# Everything after the command: option spellings, option values, files.
function __ptool_args
    set -l prog (__ptool_prog); or return
    set -l cmd (__ptool_cmd)
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l prev $words[-1]
    if contains -- -- $words
        __fish_complete_path $cur
        return
    end
    set -l table (__ptool_table $prog $cmd)
    # --opt=value in one word
    if string match -qr -- '^--[^=]+=' $cur
        set -l opt (string split -m1 -- = $cur)[1]
        __ptool_values $prog $cmd $opt $opt= (string split -m1 -- = $cur)[2]
        return
    end
    # the value of the option just typed, if it takes one
    for row in $table
        set -l f (string split -- \t $row)
        if test "$f[1]" = "$prev"; and test -n "$f[2]"
            __ptool_values $prog $cmd $prev '' $cur
            return
        end
    end
    if string match -q -- '-*' $cur
        for row in $table
            set -l f (string split -- \t $row)
            printf '%s\t%s\n' $f[1] $f[3]
        end
        return
    end
    __fish_complete_path $cur
end

complete -c ptool -f
complete -c ptool -n 'not __ptool_cmd' -a '(__ptool_commands)'
complete -c ptool -n 'not __ptool_cmd' -s h -l help -d 'show help and exit'
complete -c ptool -n 'not __ptool_cmd' -l version -d 'show version and exit'
complete -c ptool -n __ptool_cmd -a '(__ptool_args)'
