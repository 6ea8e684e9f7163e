package grutest

import (
	"os"
	"testing"
)

// MissingTool skips the test for want of an external tool (node, ONNX Runtime,
// onnx.checker), or fails it where GOGRU_REQUIRE_EXPORT_TOOLS is set (.ci/run sets
// it: CI installs them all).
func MissingTool(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("GOGRU_REQUIRE_EXPORT_TOOLS") != "" {
		t.Fatalf("GOGRU_REQUIRE_EXPORT_TOOLS is set, but "+format, args...)
	}
	t.Skipf(format, args...)
}
