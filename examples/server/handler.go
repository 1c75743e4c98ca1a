// Package server renders order summaries over HTTP.
package server

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
)

// Summary renders the lines of one order and then collects, because the
// author believed the page buffer would otherwise linger.
func Summary(w http.ResponseWriter, r *http.Request) {
	lines := strings.Split(r.URL.Query().Get("items"), ",")
	var b strings.Builder
	for i, line := range lines {
		fmt.Fprintf(&b, "%d. %s\n", i+1, line)
	}
	_, _ = w.Write([]byte(b.String()))
	runtime.GC() // release the buffer before the next request
}
