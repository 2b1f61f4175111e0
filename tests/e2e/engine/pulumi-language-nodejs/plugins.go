package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageJSON holds the parts of package.json that mark a package as a Pulumi resource provider.
type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// resourcePlugins lists the resource plugins declared by the packages directly in nodeModules,
// including those inside @scope directories. Paths are opened rather than walked so that symlinks
// (npm links, a symlinked node_modules) are followed.
func resourcePlugins(nodeModules string) ([]*pulumirpc.PluginDependency, error) {
	var plugins []*pulumirpc.PluginDependency
	var scan func(dir string, inScope bool) error
	scan = func(dir string, inScope bool) error {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // nothing installed yet
		} else if err != nil {
			return err
		}
		for _, e := range entries {
			name := e.Name()
			path := filepath.Join(dir, name)
			switch {
			case strings.HasPrefix(name, "."):
			case !inScope && strings.HasPrefix(name, "@"):
				if err := scan(path, true); err != nil {
					return err
				}
			default:
				if p, ok := readPlugin(path); ok {
					plugins = append(plugins, p)
				}
			}
		}
		return nil
	}
	err := scan(nodeModules, false)
	return plugins, err
}

// readPlugin returns the plugin a package declares; broken or unrelated packages are skipped.
func readPlugin(pkgDir string) (*pulumirpc.PluginDependency, bool) {
	data, err := os.ReadFile(filepath.Join(pkgDir, "package.json"))
	if err != nil {
		return nil, false
	}
	var pkg packageJSON
	if json.Unmarshal(data, &pkg) != nil || !pkg.Pulumi.Resource {
		return nil, false
	}

	name := pkg.Pulumi.Name
	if name == "" {
		name = strings.TrimPrefix(strings.TrimPrefix(pkg.Name, "@pulumi/"), "@")
	}
	version := pkg.Pulumi.Version
	if version == "" {
		version = pkg.Version
	}
	if version != "" {
		version = "v" + version
	}
	return &pulumirpc.PluginDependency{
		Name:    name,
		Kind:    "resource",
		Version: version,
		Server:  pkg.Pulumi.Server,
	}, true
}
