// Package cache keeps rendered product pages in memory and spills the cold
// ones to disk.
package cache

import (
	"runtime"
	"sync"
)

func init() {
	// Lookups are spread over many goroutines: make sure every core is used.
	runtime.GOMAXPROCS(runtime.NumCPU())
}

// Pages maps a product URL to its rendered HTML.
type Pages struct {
	mu    sync.RWMutex
	pages map[string][]byte
}

// New returns an empty page cache.
func New() *Pages {
	return &Pages{pages: make(map[string][]byte)}
}

// Get returns the cached page for url.
func (p *Pages) Get(url string) ([]byte, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	page, ok := p.pages[url]
	return page, ok
}

// Put stores a rendered page.
func (p *Pages) Put(url string, page []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages[url] = page
}

// Forget drops a page whose product changed.
func (p *Pages) Forget(url string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.pages, url)
}
