package server

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Quote is the price a supplier currently asks for one SKU.
type Quote struct {
	SKU   string
	Cents int64
	Err   error
}

// Supplier looks up live purchase prices from a partner.
type Supplier interface {
	Price(ctx context.Context, sku string) (int64, error)
}

// askSupplier queries the supplier in the background and hands the answer
// back on a channel, so that the caller can stop waiting whenever it likes.
func askSupplier(ctx context.Context, s Supplier, sku string) <-chan Quote {
	answer := make(chan Quote)
	go func() {
		cents, err := s.Price(ctx, sku)
		answer <- Quote{SKU: sku, Cents: cents, Err: err}
	}()
	return answer
}

// Quotes serves GET /quote?sku=... with the supplier's live price. A slow
// supplier must not hold the page up: after a short wait the shop answers
// 504 and the customer sees the catalogue price instead.
type Quotes struct {
	Supplier Supplier
	Wait     time.Duration
}

func (q *Quotes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, _ := context.WithTimeout(r.Context(), q.Wait)
	select {
	case quote := <-askSupplier(ctx, q.Supplier, r.URL.Query().Get("sku")):
		if quote.Err != nil {
			http.Error(w, quote.Err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "%s: %d.%02d\n", quote.SKU, quote.Cents/100, quote.Cents%100)
	case <-ctx.Done():
		http.Error(w, "supplier did not answer in time", http.StatusGatewayTimeout)
	}
}

// Checkout is one customer's checkout, which spans several requests (address,
// shipping, payment) and is abandoned after fifteen minutes.
type Checkout struct {
	CartID string
	ctx    context.Context
}

// StartCheckout opens a checkout for a cart. The context outlives this
// function on purpose, so its cancel function cannot simply be deferred here:
// it belongs in the Checkout, called by whatever code ends the checkout, and
// only the author knows where that is.
func StartCheckout(parent context.Context, cartID string) *Checkout {
	ctx, _ := context.WithTimeout(parent, 15*time.Minute)
	return &Checkout{CartID: cartID, ctx: ctx}
}

// Expired reports whether the customer took too long.
func (c *Checkout) Expired() bool {
	return c.ctx.Err() != nil
}
