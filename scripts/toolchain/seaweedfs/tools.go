//go:build tools

// Pins SeaweedFS's `weed` command (master, volume, filer and S3 gateway in one binary) for
// scripts/bootstrap.sh; see ../README.md.
package tools

import _ "github.com/seaweedfs/seaweedfs/weed"
