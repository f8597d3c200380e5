"""Each person's home page: what waits for them in each of their roles. It sits
on top of every other app, reads their selectors and owns no tables; no app
imports it (docs/decisions/0021-home-pages-and-notifications.md)."""
