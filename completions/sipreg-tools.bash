# SPDX-License-Identifier: BSD-2-Clause
# bash completion for sipreg, sipunreg, sipauthcheck and sipregwatch.
# Options come from the tool's own --help (so they always agree with it);
# -n completes registration names from the file of -f (or $SIPREG_CONFIG).

_sipreg_tools_names()
{
	local file=$1
	[ -r "$file" ] || return
	# "- name: x" in a list, or "  x:" under registrations: as a mapping
	awk '
		/^registrations:/ { inreg = 1; next }
		/^[^ #-]/ { inreg = 0 }
		inreg && /^[ ]*- *name: / { sub(/^[ ]*- *name: */, ""); gsub(/["'\'']/, ""); print; next }
		inreg && /^  [A-Za-z0-9_.@:-]+:/ { sub(/^  /, ""); sub(/:.*/, ""); print }
	' "$file"
}

_sipreg_tools()
{
	local cur prev words cword
	_init_completion -s || return
	local tool=${words[0]} i file=${SIPREG_CONFIG:-}

	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-f | --config) file=${words[i + 1]} ;;
		--config=*) file=${words[i]#--config=} ;;
		esac
	done
	case $prev in
	-f | --config | --password-file | --bearer-token-file | --tls-ca-file | --tls-cert | \
		--tls-key | --pjsip-conf | --events | --status-file | --prometheus-file | --tls-keylog)
		_filedir
		return
		;;
	--tls-ca-dir)
		_filedir -d
		return
		;;
	--hep)
		# a collector: udp: or tcp:, then HOST:PORT (9060 is HEP's usual port)
		COMPREPLY=($(compgen -W "udp:127.0.0.1:9060 tcp:127.0.0.1:9060" -- "$cur"))
		return
		;;
	-n | --name)
		COMPREPLY=($(compgen -W "$(_sipreg_tools_names "$file")" -- "$cur"))
		return
		;;
	-o | --output)
		COMPREPLY=($(compgen -W "text json env nagios" -- "$cur"))
		return
		;;
	--transport)
		COMPREPLY=($(compgen -W "udp tcp tls ws wss" -- "$cur"))
		return
		;;
	--min-digest | --algorithm)
		COMPREPLY=($(compgen -W "MD5 SHA-256 SHA-512-256" -- "$cur"))
		return
		;;
	--method)
		COMPREPLY=($(compgen -W "REGISTER OPTIONS" -- "$cur"))
		return
		;;
	--security-negotiation)
		COMPREPLY=($(compgen -W "no mediasec" -- "$cur"))
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("$tool" --help 2>/dev/null | grep -oE -- '--[a-z0-9-]+' | sort -u)" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
	fi
}

complete -F _sipreg_tools sipreg sipunreg sipauthcheck sipregwatch
