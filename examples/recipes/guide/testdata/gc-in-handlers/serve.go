package cases

import (
	"net/http"
	"runtime"
)

func serve(w http.ResponseWriter, r *http.Request) {
	w.Write([]byte(r.URL.Path))
	runtime.GC() // want "gc-in-handlers"
}

// Not a handler: outside this recipe's reach.
func compact(buf []byte) []byte {
	out := append([]byte(nil), buf...)
	runtime.GC()
	return out
}
