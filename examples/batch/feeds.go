package batch

import (
	"bytes"
	"os"
	"strconv"
	"sync"
)

// PriceBook holds the purchase price of every SKU, merged from the supplier
// feeds.
type PriceBook struct {
	mu    sync.Mutex
	cents map[string]int64
}

// NewPriceBook returns an empty price book.
func NewPriceBook() *PriceBook {
	return &PriceBook{cents: make(map[string]int64)}
}

// Merge records the prices of one feed.
func (b *PriceBook) Merge(prices map[string]int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for sku, c := range prices {
		b.cents[sku] = c
	}
}

// Lookup returns the purchase price of a SKU.
func (b *PriceBook) Lookup(sku string) (int64, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.cents[sku]
	return c, ok
}

// parseFeed reads "sku=cents" lines and skips the ones it cannot read.
func parseFeed(data []byte) map[string]int64 {
	prices := make(map[string]int64)
	for _, line := range bytes.Split(data, []byte("\n")) {
		sku, cents, ok := bytes.Cut(line, []byte("="))
		if !ok {
			continue
		}
		if c, err := strconv.ParseInt(string(cents), 10, 64); err == nil {
			prices[string(sku)] = c
		}
	}
	return prices
}

// ImportFeeds reads every supplier feed file, one goroutine per file, and
// merges them into book. Some suppliers send a few files, the large ones
// send thousands.
func ImportFeeds(paths []string, book *PriceBook) []error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, path := range paths {
		wg.Add(1)
		go func() {
			data, err := os.ReadFile(path)
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				wg.Done()
				return
			}
			book.Merge(parseFeed(data))
			wg.Done()
		}()
	}
	wg.Wait()
	return errs
}

// Margin is the difference between the selling and the purchase price.
type Margin struct {
	SKU   string
	Cents int64
}

// Margins computes the margin of every SKU in the book. Each goroutine hands
// its result to a channel that is only read once the loop is done, so
// capping the number of goroutines in the loop could leave it waiting for
// goroutines that are themselves waiting for the reader: the pipeline has to
// be reshaped by hand (a fixed set of workers, or a buffered channel).
func Margins(selling map[string]int64, book *PriceBook) []Margin {
	out := make(chan Margin)
	n := 0
	for sku, price := range selling {
		n++
		go func() {
			cost, _ := book.Lookup(sku)
			out <- Margin{SKU: sku, Cents: price - cost}
		}()
	}
	margins := make([]Margin, 0, n)
	for i := 0; i < n; i++ {
		margins = append(margins, <-out)
	}
	return margins
}
