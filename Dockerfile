FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs settings, not secrets: throwaway values for this one command.
RUN DJANGO_SECRET_KEY=collectstatic-only PIXEE_FERNET_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LWtleS0wMTIzNDU2Nzg= \
    python manage.py collectstatic --noinput -v 0

RUN useradd --create-home pixee && mkdir -p /app/media && chown pixee /app/media
USER pixee
EXPOSE 8000
CMD ["gunicorn", "pixeepim.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
