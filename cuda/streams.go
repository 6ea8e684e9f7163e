package cuda

// eachDirection queues body(d) for each direction d of a layer. A bidirectional
// layer on the per-step GEMM path runs direction 1 on stream 1 (on a GPU a second
// stream) while direction 0 runs on stream 0, and joins the streams before it
// returns, so the work queued after it (the next layer, the output copy, the dX
// GEMMs over both directions) waits for both. The two directions share no
// scratch that either writes: each has its own dirWork, hs and gates, its own
// parameters and gradients, and its own columns of the layer's output and of dY,
// while the input, the lengths and dY are only read; the bias sums reduce within
// a block, with no partials in global memory.
//
// The persistent path (plan non-nil) stays on one stream: each of its cooperative
// kernels is sized to hold every multiprocessor, so two at once on two streams
// could not both be resident, and both use ws.barrier.
//
// A fork or join that fails without losing the context (see Backend.recoverable)
// costs the overlap, not the pass: after a failed fork the directions run one
// after the other on stream 0; after a failed join the host waits for both streams
// (Sync), which orders them as the join would have. Either warns once, and the backend
// keeps to one stream from then on.
func (s *stack) eachDirection(q *queue, plan *persistPlan, body func(d int)) {
	be, dirs := s.be, s.cfg.Directions()
	sequential := func() {
		for d := range dirs {
			body(d)
		}
	}
	if dirs == 1 || plan != nil || be.oneStream {
		sequential()
		return
	}
	q.fork()
	if q.err != nil && be.recoverable(q.err) {
		be.warnOnce("forking a second stream for the second direction", oneStreamFallback, q.err)
		be.oneStream, q.err = true, nil
		sequential()
		return
	}
	for d := range dirs {
		q.setStream(d)
		body(d)
	}
	failed := q.err
	q.join()
	if failed == nil && q.err != nil && be.recoverable(q.err) && be.dev.Sync() == nil {
		be.warnOnce("joining the second direction's stream", oneStreamFallback, q.err)
		be.oneStream, q.err = true, nil
	}
}

// oneStreamFallback is what a failed fork or join leaves for: said in the warning.
const oneStreamFallback = "the two directions of a layer run one after the other on one stream"
