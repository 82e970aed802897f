"""The Plivo Trigger plugin's core: which event a webhook is (dispatch), what a workflow gets
(events), which events it wants (filters) and how a number is linked to Dify (subscriptions)."""
