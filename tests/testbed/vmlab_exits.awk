# Exit counts from `vmlab xentrace summary` text: "DOMID REASON COUNT" per
# domain and exit reason, summed over the domain's vCPUs.
/^domain [0-9]+/ { dom = $2; next }
/^    exit reason/ { inexits = 1; next }
/^  vcpu / || /^    (handler events|hypercalls|runstates):/ { inexits = 0 }
inexits && /^    [A-Z0-9_]+ +[0-9]+ / { n[dom " " $1] += $2 }
END { for (k in n) print k, n[k] }
