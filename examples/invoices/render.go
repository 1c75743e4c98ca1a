// Package invoices lays invoices out as printable pages.
package invoices

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
)

// Invoice is what the customer is billed for one order.
type Invoice struct {
	Number string
	Locale string
	Lines  []string
}

// typesetter stands for the native font engine the shop links against. Its
// state lives in the OS thread that bound it, so everything from bind to
// flush must happen on that thread.
type typesetter struct {
	locale string
	page   strings.Builder
}

func bindTypesetter(locale string) (*typesetter, error) {
	if locale == "" {
		return nil, errors.New("invoice has no locale")
	}
	return &typesetter{locale: locale}, nil
}

func (t *typesetter) text(y int, s string) { fmt.Fprintf(&t.page, "%4d %s\n", y, s) }
func (t *typesetter) release()             {}
func (t *typesetter) flush() ([]byte, error) {
	return []byte(t.page.String()), nil
}

// Render lays one invoice out. It runs once per invoice, in the request that
// asks for it.
func Render(inv Invoice) ([]byte, error) {
	runtime.LockOSThread()
	t, err := bindTypesetter(inv.Locale)
	if err != nil {
		return nil, err
	}
	defer t.release()
	t.text(0, "Invoice "+inv.Number)
	for i, line := range inv.Lines {
		t.text(20+12*i, line)
	}
	page, err := t.flush()
	runtime.UnlockOSThread()
	return page, err
}

// RenderWithCustomFonts lays out invoices for the few customers who have
// their own fonts. The engine cannot unload fonts from a thread, so the
// goroutine stays locked on purpose: when it ends, its thread is destroyed
// and the fonts go with it. Whether that is still the right trade-off is up
// to whoever owns the font engine.
func RenderWithCustomFonts(inv Invoice, done chan<- []byte) {
	go func() {
		runtime.LockOSThread()
		t, err := bindTypesetter(inv.Locale)
		if err != nil {
			done <- nil
			return
		}
		for i, line := range inv.Lines {
			t.text(12*i, line)
		}
		page, _ := t.flush()
		done <- page
	}()
}
