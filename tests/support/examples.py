"""Config examples that README shows, kept here once so the docs test and the config tests agree."""

CHANNELS_EXAMPLE = """\
channels:
  syria-slack:     {type: slack,   webhook_url: "${SLACK_WEBHOOK_URL}"}
  syria-matrix:    {type: matrix,  homeserver: "https://matrix.example.org",
                    room_id: "!abc:example.org", access_token: "${MATRIX_TOKEN}"}
  newsroom-hook:   {type: webhook, url: "https://cms.example.org/hooks/wirewatch",
                    secret: "${WEBHOOK_SECRET}"}
  editors-digest:  {type: email, to: [desk@example.org], mode: digest,
                    schedule: "0 7 * * *", timezone: Europe/London}
  breaking-email:  {type: email, to: [duty@example.org], mode: immediate}
"""
