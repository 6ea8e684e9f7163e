package cuda

// eachDirection queues body(d) for each direction d of a layer. A bidirectional
// layer on the per-step GEMM path runs direction 1 on lane 1 (on a GPU a second
// stream) while direction 0 runs on lane 0, and joins the lanes before it
// returns, so the work queued after it (the next layer, the output copy, the dX
// GEMMs over both directions) waits for both. The two directions share no
// scratch that either writes: each has its own dirWork, hs and gates, its own
// parameters and gradients, and its own columns of the layer's output and of dY,
// while the input, the lengths and dY are only read; the bias sums reduce within
// a block, with no partials in global memory.
//
// The persistent path (plan non-nil) stays on one lane: each of its cooperative
// kernels is sized to hold every multiprocessor, so two at once on two streams
// could not both be resident, and both use ws.barrier.
func (s *stack) eachDirection(q *queue, plan *persistPlan, body func(d int)) {
	dirs := s.cfg.Directions()
	if dirs == 1 || plan != nil {
		for d := range dirs {
			body(d)
		}
		return
	}
	q.fork()
	for d := range dirs {
		q.setLane(d)
		body(d)
	}
	q.join()
}
