"""What several tools share: the shapes and sentences of their output, the recipient rules of
every paid tool, the delivery wait, cost estimates, the account-change permission, JSON written
as text, and the list/get/create/update/delete operations."""
