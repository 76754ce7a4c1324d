# bash completion for sshrepair(8)
_sshrepair() {
	local cur prev words cword
	_init_completion || return

	case $prev in
	--port | -p | --confirm)
		return
		;;
	--user | -u)
		COMPREPLY=($(compgen -u -- "$cur"))
		return
		;;
	--root)
		_filedir -d
		return
		;;
	--from)
		return
		;;
	confirm | rollback)
		local ids
		ids=$(ls /var/lib/sshrepair/txn 2>/dev/null)
		COMPREPLY=($(compgen -W "$ids --if-unconfirmed" -- "$cur"))
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--dry-run --yes --port --user --from --json --root --confirm
			--allow-insecure --verbose --help --version' -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W 'status confirm rollback recover' -- "$cur"))
}
complete -F _sshrepair sshrepair
