"""Start the Placement & Pipeline Tracker: ``python app.py`` (or ``gunicorn app:server``)."""

from __future__ import annotations

import argparse
import os

from tracker.webapp import create_app

app = create_app()
server = app.server

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Run the Placement & Pipeline Tracker.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8050")))
    parser.add_argument("--debug", action="store_true", help="Dash dev tools and reloading")
    args = parser.parse_args()
    print(f"Serving on http://{args.host}:{args.port}/", flush=True)
    app.run(host=args.host, port=args.port, debug=args.debug)
