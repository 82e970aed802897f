"""What Plivo sends us and how we know it is Plivo: the front door shared by the endpoint and
the trigger (signature, replay, duplicate), payload parsing, XML answers and plugin storage."""
