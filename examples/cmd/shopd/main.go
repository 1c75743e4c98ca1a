// Command shopd serves the shop.
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"runtime"
	"time"

	"example.com/shop/batch"
	"example.com/shop/cache"
	"example.com/shop/jobs"
	"example.com/shop/server"
)

type fixedPrices map[string]int64

func (f fixedPrices) Price(_ context.Context, sku string) (int64, error) {
	return f[sku], nil
}

func main() {
	runtime.GOMAXPROCS(runtime.NumCPU())

	f, err := os.Open("catalogue.csv")
	if err != nil {
		log.Fatal(err)
	}
	products, err := batch.LoadCatalogue(f)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	// The catalogue load leaves a lot of garbage behind. Collecting once here,
	// before the first request, may well be deliberate: it is the owner's
	// call, not something to remove blindly.
	runtime.GC()
	log.Printf("%d products loaded", len(products))

	pages := cache.New()
	pool := jobs.NewPool(time.Minute, 100, log.Default())
	pool.Start(context.Background(), 4)

	http.HandleFunc("/summary", server.Summary)
	http.Handle("/quote", &server.Quotes{Supplier: fixedPrices{}, Wait: 800 * time.Millisecond})
	http.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		if page, ok := pages.Get(r.URL.Path); ok {
			_, _ = w.Write(page)
			return
		}
		http.NotFound(w, r)
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
