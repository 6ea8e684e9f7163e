package cuda

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/gogru/gogru/gru"
)

// A speed path that fails on a device costs speed, never the run. This file says
// which driver failures a speed path (the persistent kernel, the second stream)
// may fall back from, and reports each fallback once. The classification is the
// *Error's own (device.Error.Is, beside the type in internal/device); recorded
// steps fall back in gru/lm's Trainer, which reads it through errors.Is too:
//
//   - sticky: the context is lost (an illegal address, a failed launch, a
//     hardware fault) and every later call fails too; the *Error matches
//     gru.ErrDeviceLost, and nothing falls back;
//   - capture unsupported (status 900): the *Error matches
//     record.ErrUnsupported;
//   - anything else the driver or cuBLAS refuses (not supported, a launch too
//     large, an invalid value) left the context usable: a speed path falls back.

// recoverable reports whether err is a failure that a speed path may fall back
// from: a driver or cuBLAS *Error that did not lose the context, outside a
// recording. Inside one nothing falls back: a failed call invalidates the
// capture, and every call after it fails for that reason alone, so the error goes
// to Record's caller, which runs the step eagerly (gru/lm's Trainer), where a
// speed path that really fails falls back.
func (be *Backend) recoverable(err error) bool {
	var e *Error
	return !be.recording && errors.As(err, &e) && !errors.Is(err, gru.ErrDeviceLost)
}

// SetLogger sets where the backend reports, once each, the speed paths it leaves
// for the eager GEMM path; nil (the default) is slog.Default().
func (be *Backend) SetLogger(l *slog.Logger) { be.logger = l }

// warnOnce logs, the first time for each path and call and status, that path
// failed with err and what runs instead.
func (be *Backend) warnOnce(path, instead string, err error) {
	call, status := "", 0
	var e *Error
	if errors.As(err, &e) {
		call, status = e.Call, e.Status
	}
	if !be.first(fmt.Sprintf("%s\x00%s\x00%d", path, call, status)) {
		return
	}
	be.log().Warn(fmt.Sprintf("cuda: %s failed; %s", path, instead), "call", call, "status", status, "err", err)
}

// first reports whether key is new to warnOnce and noticeOnce, and remembers it.
func (be *Backend) first(key string) bool {
	if be.warned[key] {
		return false
	}
	if be.warned == nil {
		be.warned = map[string]bool{}
	}
	be.warned[key] = true
	return true
}

// noticeOnce logs msg as a warning the first time.
func (be *Backend) noticeOnce(msg string) {
	if be.first(msg) {
		be.log().Warn(msg)
	}
}

// log is the backend's logger.
func (be *Backend) log() *slog.Logger {
	if be.logger == nil {
		return slog.Default()
	}
	return be.logger
}

// info logs msg at Info level.
func (be *Backend) info(msg string) { be.log().Info(msg) }

// persistentFallback is what a failed persistent kernel leaves for: said in the
// warning.
const persistentFallback = "this shape runs the per-step GEMM path (RecurrentRuns counts it)"
