//go:build !unix

package main

import "os"

// termWidth assumes a usable terminal where the width cannot be asked.
func termWidth(*os.File) int { return 80 }
