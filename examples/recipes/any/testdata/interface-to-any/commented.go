package cases

type Sink interface {
	// Methods to come.
}

var _ interface{ /* on purpose */ } = Sink(nil)
