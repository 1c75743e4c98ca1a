// Package jobs runs the shop's background work: invoice e-mails, stock
// synchronisation, nightly reports.
package jobs

import (
	"context"
	"log"
	"runtime/pprof"
	"sync"
	"time"
)

// Job is one unit of background work, done for one customer.
type Job struct {
	Kind     string
	Customer string
	Run      func(ctx context.Context) error
}

// Pool runs jobs on a fixed number of workers. A worker that has had nothing
// to do for Idle goes away.
type Pool struct {
	Idle  time.Duration
	Log   *log.Logger
	queue chan Job
	wg    sync.WaitGroup
}

// NewPool returns a pool whose queue holds up to backlog jobs.
func NewPool(idle time.Duration, backlog int, logger *log.Logger) *Pool {
	return &Pool{Idle: idle, Log: logger, queue: make(chan Job, backlog)}
}

// Start launches n workers.
func (p *Pool) Start(ctx context.Context, n int) {
	for w := 0; w < n; w++ {
		p.wg.Add(1)
		go func() {
			if err := p.work(ctx); err != nil {
				p.Log.Printf("worker stopped: %v", err)
				p.wg.Done()
				return
			}
			p.wg.Done()
		}()
	}
}

// Wait blocks until every worker has ended.
func (p *Pool) Wait() {
	p.wg.Wait()
}

// work takes jobs until the queue is closed, the context ends or nothing has
// come for a while.
func (p *Pool) work(ctx context.Context) error {
	for {
		select {
		case job, ok := <-p.queue:
			if !ok {
				return nil
			}
			p.run(ctx, job)
		case <-time.After(p.Idle):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// run tags the worker with the job's kind and customer, so that a CPU
// profile shows where the time of the background work goes.
func (p *Pool) run(ctx context.Context, job Job) {
	labels := pprof.Labels("job", job.Kind, "customer", job.Customer)
	ctx = pprof.WithLabels(ctx, labels)
	pprof.SetGoroutineLabels(ctx)
	start := time.Now()
	if err := job.Run(ctx); err != nil {
		p.Log.Printf("%s for %s failed after %v: %v", job.Kind, job.Customer, time.Since(start), err)
	}
}

// Dispatch feeds scheduled jobs to the workers until ctx ends.
func (p *Pool) Dispatch(ctx context.Context, scheduled <-chan Job) {
	for {
		select {
		case <-ctx.Done():
			close(p.queue)
			return
		case job := <-scheduled:
			p.queue <- job
		default:
			// nothing scheduled yet: look again
		}
	}
}
