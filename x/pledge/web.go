package pledge

import (
	"embed"
	"io/fs"
	"net/http"
)

// static is the page, built from web/ by npm run build:web.
//
//go:embed web/static
var static embed.FS

// pages serves the page under /pledge/.
func pages() http.Handler {
	sub, err := fs.Sub(static, "web/static")
	if err != nil {
		panic(err) // the embedded tree always has web/static
	}
	files := http.StripPrefix("/pledge", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/pledge" {
			http.Redirect(w, r, "/pledge/", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'")
		files.ServeHTTP(w, r)
	})
}
