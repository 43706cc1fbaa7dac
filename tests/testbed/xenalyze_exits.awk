# Exit counts from `xenalyze --summary` output: "DOMID REASON COUNT" per
# domain and exit reason, summed over the domain's vCPUs.
/^\|-- Domain [0-9]+ --\|/ { dom = $3; next }
/^Exit reasons:/ { inexits = 1; next }
/^Guest interrupt counts:/ || /^-- v[0-9]+ --/ || /^\|--/ { inexits = 0 }
inexits && $0 ~ /^ +[A-Z0-9_]+ +[0-9]+ +[0-9.]+s / { n[dom " " $1] += $2 }
END { for (k in n) print k, n[k] }
