//go:build tools

// The Pulumi CLI, built in this wrapper module: its own module carries local replace
// directives, so it cannot be `go install`ed.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
